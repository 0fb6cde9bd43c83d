"""Time, injected. Nothing outside this module reads the wall clock or sleeps.

`monotonic()` paces frames and measures ages; `now()` is the aware wall time used for
schedules and for stamping documents. Tests use FakeClock, which never sleeps: sleeping
advances it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def now(self) -> dt.datetime: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock. `sleep` can be cut short by `wake()` (used for prompt shutdown)."""

    def __init__(self) -> None:
        self._wake = threading.Event()

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._wake.wait(seconds)

    def wake(self) -> None:
        """Cut short the current sleep and every later one (used when shutting down)."""
        self._wake.set()


class FakeClock:
    """A clock that moves only when told to (or when something sleeps on it)."""

    def __init__(self, start: dt.datetime | None = None, monotonic: float = 1000.0):
        self._now = start or dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime (give it a tzinfo)")
        self._mono = monotonic

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> dt.datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))

    def advance(self, seconds: float) -> None:
        self._mono += seconds
        self._now += dt.timedelta(seconds=seconds)

    def set_wall(self, moment: dt.datetime) -> None:
        """Step the wall clock only (as `date -s` or NTP does); monotonic time goes on."""
        if moment.tzinfo is None:
            raise ValueError("set_wall needs an aware datetime")
        self._now = moment


def utc_text(moment: dt.datetime, timespec: str = "seconds") -> str:
    """An aware time as sortable UTC text (how times are stored and compared in SQL)."""
    if moment.tzinfo is None:
        raise ValueError("times must be aware (carry a time zone)")
    return moment.astimezone(dt.timezone.utc).isoformat(timespec=timespec)
