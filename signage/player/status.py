"""The status document technicians read through the API (status.json), and the recent
errors it lists.

`status_document` only reads what the player shows and knows; the player decides when
the document is written (every STATUS_EVERY_S, off the frame loop, and once at exit).
"""

from __future__ import annotations

import collections
import logging
import os
import statistics
from typing import TYPE_CHECKING, Iterator

from signage import __version__
from signage.clock import Clock

if TYPE_CHECKING:
    from signage.player.loop import Player

log = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 20


class ErrorLog:
    """The player's most recent errors, oldest first, each with the time it was reported.

    Built before the player so the parts that report (panel control, proof of play, the
    stage) can be handed its `report` when they are made."""

    def __init__(self, clock: Clock, keep: int = MAX_ERRORS_KEPT):
        self.clock = clock
        self._entries: collections.deque[dict] = collections.deque(maxlen=keep)

    def report(self, message: str) -> None:
        """Log `message` and list it in the status document."""
        log.warning("%s", message)
        self._entries.append({"at": self.clock.now().isoformat(timespec="seconds"),
                              "message": message})

    def __iter__(self) -> Iterator[dict]:
        return iter(self._entries)


def status_document(player: Player, now: float) -> dict:
    """The status document for `player` at monotonic time `now`."""
    times = sorted(player.frame_ms)
    standby = player.stage.standby
    zones = player.stage.status(now)
    decision = player.decision
    item = None if standby else {k: v for k, v in zones[0].items() if k != "zone"}
    telemetry = player.driver.telemetry()
    return {
        "version": __version__,
        "pid": os.getpid(),
        "started_at": player.started_wall.isoformat(),
        "updated_at": player.clock.now().isoformat(),
        "uptime_s": round(now - player.started_mono, 1),
        "rss_mb": rss_mb(),
        "state": state_word(player, standby),
        "screen": player.screen().label,  # what the panel shows, as the snapshot does
        "frames": player.frames,
        "target_fps": player.settings.fps,
        "fps": _presented_fps(player.present_times),
        "frame_ms": {
            "median": round(statistics.median(times), 2) if times else None,
            "p99": round(times[int(0.99 * (len(times) - 1))], 2) if times else None,
            "max": round(times[-1], 2) if times else None,
        },
        "dropped_frames": player.dropped,
        "playlist": player.showing.name,
        "revision": player.showing.revision,
        "item": item,
        "zones": zones,
        "schedule": {
            "rule": decision.rule if decision else None,
            "next_change": decision.next_check.isoformat() if decision else None,
        },
        "emergency": ({"id": decision.emergency.id,
                       "expires_at": decision.emergency.expires_at.isoformat()}
                      if decision and decision.emergency else None),
        "power": {"on": decision.power_on if decision else True,
                  "reason": decision.power_reason if decision else "on"},
        "brightness": {"desired": decision.brightness if decision else None,
                       "source": decision.brightness_source if decision else None,
                       "applied": player.control.applied("brightness")},
        "test_pattern": decision.test_pattern if decision else None,
        "time": {"trusted": player.verdict.trusted, "reason": player.verdict.reason},
        "panel_control": player.control.state(),
        "driver": {"url": player.settings.driver, "ok": player.driver_ok,
                   "size": list(player.driver.size), **telemetry.as_dict()},
        "errors": list(player.errors),
    }


def state_word(player: Player, standby: bool) -> str:
    """One word for monitors: playing, standby, emergency, scheduled off, blanked."""
    decision = player.decision
    if decision is not None and not decision.power_on:
        return "scheduled off" if decision.power_reason == "scheduled off" else "blanked"
    if decision is not None and decision.emergency is not None:
        return "emergency"
    return "standby" if standby else "playing"


def _presented_fps(present_times: collections.deque[float]) -> float | None:
    """Frames presented per second over the recent presents (None until two)."""
    if len(present_times) < 2:
        return None
    span = present_times[-1] - present_times[0]
    return round((len(present_times) - 1) / span, 2) if span > 0 else None


def rss_mb() -> float | None:
    """This process's resident memory now, in MB (None where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
