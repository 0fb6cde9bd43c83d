"""Can the wall clock be believed? Pure logic around a high-water mark of time seen.

A box without an RTC or network may boot with the clock in 1970 or at the time it was last
saved; then date-bound rules must not fire. Time is untrusted when the clock reads
earlier than RELEASE_DATE, or earlier than the newest time already seen (minus
TOLERANCE, so an NTP step of a few seconds does not flip it).

The mark is kept by the caller in the store (`newest_seen`). It advances only towards a
trusted `now`, and by at most MAX_ADVANCE_RATE seconds per second of monotonic time.
Why the cap: a clock that jumps years ahead once (a bad RTC, a bad time server) would
otherwise drag the mark years ahead, and after the clock is corrected the box would stay
untrusted until those years had passed. With the cap the mark gains at most one extra
second per second, so the box is untrusted after a correction for at most as long as
the wrong time was on the clock. The price: after the box was off for a while the mark
lags real time by that long and catches up in the same time; a lagging mark only makes
the check less strict, never wrongly untrusted.

A clock that jumps while we watch (its offset from the monotonic clock changes by more
than JUMP_S) may be wrong, as a bad time server is: from then on, until it has held for
SETTLE_S, the mark advances only as fast as real (monotonic) time passes, never faster.
So a clock that read ten years ahead for an hour leaves the mark where real time is, and
when it is corrected the box trusts it again at once (the wall is back on its schedule
within a minute), instead of staying untrusted for as long as the wrong time was on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RELEASE_DATE = dt.date(2026, 11, 26)
TOLERANCE = dt.timedelta(minutes=5)
MAX_ADVANCE_RATE = 2.0  # mark seconds per monotonic second: real time plus one to catch up
JUMP_S = 2.0  # the wall clock moved this much against the monotonic one: it was stepped
SETTLE_S = 24 * 3600.0  # a stepped clock believed this long may drag the mark again


@dataclass(frozen=True)
class Verdict:
    trusted: bool
    reason: str


class TimeTrust:
    """Judges `now` against the release date and the newest time seen; tracks that mark."""

    def __init__(
        self,
        newest_seen: dt.datetime | None = None,
        *,
        release: dt.date = RELEASE_DATE,
        tolerance: dt.timedelta = TOLERANCE,
        max_advance_rate: float = MAX_ADVANCE_RATE,
    ) -> None:
        self._floor = dt.datetime.combine(release, dt.time(), tzinfo=dt.timezone.utc)
        stored = _aware(newest_seen, "newest_seen") if newest_seen else self._floor
        self._mark = max(stored, self._floor)
        self._last_monotonic: float | None = None  # the first `seen` only sets this
        self._offset: float | None = None  # wall minus monotonic at the last `seen`
        self._stepped_at: float | None = None  # when the wall clock last jumped
        self._tolerance = tolerance
        self._rate = max_advance_rate

    @property
    def newest_seen(self) -> dt.datetime:
        """The high-water mark (UTC), for the caller to keep in the store."""
        return self._mark

    def check(self, now: dt.datetime) -> Verdict:
        """Is `now` believable? The reason says why not, for the status document."""
        now = _aware(now, "now")
        if now < self._floor:
            return Verdict(False, (
                f"the clock reads {_show(now)}, before this release ({self._floor:%Y-%m-%d}); "
                "playing the default playlist until the time is set (NTP or `date -s`)"
            ))
        if now < self._mark - self._tolerance:
            behind = _show_span(self._mark - now)
            return Verdict(False, (
                f"the clock reads {_show(now)}, {behind} before the newest time already seen "
                f"({_show(self._mark)}); it was probably set back, so playing the default "
                "playlist until the time is set (NTP or `date -s`)"
            ))
        return Verdict(True, "the clock is consistent with the newest time seen")

    def seen(self, now: dt.datetime, monotonic: float) -> bool:
        """Advance the mark towards a trusted `now`; True if it moved."""
        now = _aware(now, "now")
        last = monotonic if self._last_monotonic is None else self._last_monotonic
        elapsed = max(0.0, monotonic - last)
        self._last_monotonic = monotonic
        self._note_steps(now, monotonic)
        if not self.check(now).trusted or now <= self._mark:
            return False
        allowed = self._mark + dt.timedelta(seconds=elapsed * self._rate_now(monotonic))
        before, self._mark = self._mark, min(now, allowed)
        return self._mark > before

    def _note_steps(self, now: dt.datetime, monotonic: float) -> None:
        offset = now.timestamp() - monotonic
        if self._offset is not None and abs(offset - self._offset) > JUMP_S:
            self._stepped_at = monotonic
        self._offset = offset

    def _rate_now(self, monotonic: float) -> float:
        """Real time only (1.0) while a recent step may be wrong; else the catch-up rate."""
        if self._stepped_at is not None and monotonic - self._stepped_at < SETTLE_S:
            return min(1.0, self._rate)
        return self._rate

    def observe(self, now: dt.datetime, monotonic: float) -> Verdict:
        """Check `now`, then let it advance the mark: the player's one call per tick."""
        verdict = self.check(now)
        self.seen(now, monotonic)
        return verdict


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} needs an aware datetime (give it a tzinfo)")
    return value.astimezone(dt.timezone.utc)


def _show(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _show_span(span: dt.timedelta) -> str:
    seconds = span.total_seconds()
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes"
