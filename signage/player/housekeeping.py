"""Chores the player does while it trusts the clock: saving the newest time seen, so a
box that reboots without a network knows the time cannot be earlier than that, and
deleting proof of play older than SIGNAGE_PLAYS_KEEP_DAYS.

Both are writes, and a write waits for SQLite's lock and the disk (fsync on an SD card,
100 ms or more): they go to a background writer, never onto the frame loop.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from typing import Callable

log = logging.getLogger(__name__)

SAVE_TIME_MARK_EVERY_S = 60.0  # how often the newest time seen is written (spare the SD card)
PRUNE_PLAYS_EVERY_S = 24 * 3600.0  # and how often old proof of play is deleted

WriteLater = Callable[[Callable[[], object]], object]


class Housekeeping:
    """Hands `write_later` (a background writer) each chore when it is due."""

    def __init__(self, keep_days: float, write_later: WriteLater):
        self.keep_days = keep_days
        self.write_later = write_later
        self.next_mark_save = -math.inf  # both are due the first time the clock is trusted
        self.next_prune = -math.inf

    def run_due(self, store, newest_seen: dt.datetime, mono: float) -> None:
        """Queue the chores due at monotonic time `mono`; call only while time is trusted."""
        if mono >= self.next_mark_save:
            self.next_mark_save = mono + SAVE_TIME_MARK_EVERY_S
            self.write_later(functools.partial(_save_time_mark, store, newest_seen))
        if mono >= self.next_prune:
            self.next_prune = mono + PRUNE_PLAYS_EVERY_S
            # Counted back from the mark, not the clock: a clock that jumped years ahead
            # is believed (the mark follows it at 2 s a second), and must not delete a
            # year of plays at once.
            cutoff = newest_seen - dt.timedelta(days=self.keep_days)
            self.write_later(functools.partial(_prune_plays, store, cutoff))


def _save_time_mark(store, moment) -> None:
    try:
        store.record_seen_time(moment)
    except Exception as exc:  # the next save comes in a minute; the screen is unaffected
        log.warning("cannot save the newest time seen: %s", exc)


def _prune_plays(store, cutoff) -> None:
    try:
        deleted = store.prune_plays(cutoff)
    except Exception as exc:  # tried again tomorrow; plays are kept meanwhile
        log.warning("cannot delete old proof of play: %s", exc)
        return
    if deleted:
        log.info("deleted %d plays that started before %s (SIGNAGE_PLAYS_KEEP_DAYS)", deleted,
                 cutoff.isoformat(timespec="seconds"))
