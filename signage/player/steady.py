"""A frame that fails is not the end of the picture.

A bug that breaks one frame (a renderer, a driver, a corner of the schedule nobody
tested) used to end the player's loop, and with it the process: the wall went dark until
systemd started a new one, and went dark again each time the same content came round.
Instead the panel keeps the last picture it was given (every driver holds it), the fault
is logged with its traceback once and listed in the status, and the next frame is tried
on time. Only a loop that has failed without a break for GIVE_UP_S is given up, so the
supervisor restarts a player whose state is past saving.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

GIVE_UP_S = 30.0


class SteadySteps:
    def __init__(self, player, give_up_after_s: float = GIVE_UP_S):
        self.player = player
        self.give_up_after_s = give_up_after_s
        self.failing_since: float | None = None
        self.failed = 0  # frames that failed, in all

    def step(self) -> bool:
        """One frame; False if it failed (the panel keeps the picture it had)."""
        try:
            self.player.step()
        except Exception as exc:
            self._failed(exc)
            return False
        if self.failing_since is not None:
            log.info("frames are drawn again after %d failed", self.failed)
            self.failing_since = None
        return True

    def _failed(self, exc: Exception) -> None:
        now = self.player.clock.monotonic()
        self.failed += 1
        if self.failing_since is None:
            self.failing_since = now
            log.exception("a frame failed; the panel keeps its last picture")
            self.player.report(f"frame failed: {type(exc).__name__}: {exc}")
        elif now - self.failing_since >= self.give_up_after_s:
            log.error("frames have failed for %.0f s; stopping so the player is restarted",
                      now - self.failing_since)
            raise exc
