"""Trusted time with a fake clock: set back, set before the release, jumped ahead."""

from __future__ import annotations

import datetime as dt

import pytest

from signage.clock import FakeClock
from signage.schedule.trusted_time import RELEASE_DATE, TOLERANCE, TimeTrust

UTC = dt.timezone.utc
START = dt.datetime(2027, 2, 6, 8, 0, tzinfo=UTC)
HOUR = 3600.0


class FakeSteppedClock(FakeClock):
    """A FakeClock whose wall time can be stepped (as `date -s` or NTP would) while
    monotonic time goes on."""

    def __init__(self, start: dt.datetime, monotonic: float = 1000.0):
        super().__init__(start, monotonic)
        self._step = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return super().now() + self._step

    def set_wall(self, moment: dt.datetime) -> None:
        self._step += moment - self.now()


def run(trust: TimeTrust, clock: FakeClock, seconds: float, tick: float = 60.0) -> None:
    """The player's loop: observe the clock every `tick` seconds for `seconds`."""
    for _ in range(int(seconds // tick)):
        clock.advance(tick)
        trust.observe(clock.now(), clock.monotonic())


def test_a_clock_set_back_is_untrusted_with_a_reason_and_trusted_again_when_set_forward():
    clock = FakeSteppedClock(START)
    trust = TimeTrust(newest_seen=START)
    run(trust, clock, 2 * HOUR)
    assert trust.newest_seen == START + dt.timedelta(hours=2)

    clock.set_wall(START - dt.timedelta(days=3))
    verdict = trust.observe(clock.now(), clock.monotonic())
    assert not verdict.trusted
    assert "3 days before the newest time already seen" in verdict.reason
    assert "2027-02-03 08:00 UTC" in verdict.reason

    clock.set_wall(START + dt.timedelta(hours=2, minutes=1))
    assert trust.observe(clock.now(), clock.monotonic()).trusted


def test_the_mark_is_not_moved_by_an_untrusted_time():
    clock = FakeSteppedClock(START)
    trust = TimeTrust(newest_seen=START)
    clock.set_wall(START - dt.timedelta(hours=5))
    run(trust, clock, 4 * HOUR)
    assert trust.newest_seen == START
    assert not trust.check(clock.now()).trusted


def test_a_small_step_back_within_the_tolerance_stays_trusted():
    clock = FakeSteppedClock(START)
    trust = TimeTrust(newest_seen=START)
    run(trust, clock, HOUR)
    clock.set_wall(clock.now() - TOLERANCE + dt.timedelta(seconds=1))
    assert trust.check(clock.now()).trusted
    clock.set_wall(clock.now() - dt.timedelta(seconds=2))
    assert not trust.check(clock.now()).trusted


def test_a_clock_before_the_release_is_untrusted_even_with_nothing_seen():
    trust = TimeTrust()
    verdict = trust.check(dt.datetime(1970, 1, 1, tzinfo=UTC))
    assert not verdict.trusted
    assert f"before this release ({RELEASE_DATE:%Y-%m-%d})" in verdict.reason
    assert trust.check(dt.datetime(2026, 11, 26, 0, 0, tzinfo=UTC)).trusted


def test_a_clock_that_jumped_years_ahead_once_is_trusted_again_as_soon_as_it_is_corrected():
    clock = FakeSteppedClock(START)
    trust = TimeTrust(newest_seen=START)
    run(trust, clock, HOUR)
    real = clock.now()
    clock.set_wall(real + dt.timedelta(days=10 * 365))  # a bad time server
    run(trust, clock, 2 * HOUR)
    assert trust.newest_seen <= real + dt.timedelta(hours=2)  # real time only, not ahead

    clock.set_wall(real + dt.timedelta(hours=2))  # corrected
    assert trust.observe(clock.now(), clock.monotonic()).trusted


def test_a_stepped_clock_believed_for_a_day_may_drag_the_mark_again():
    clock = FakeSteppedClock(START)
    trust = TimeTrust(newest_seen=START)
    run(trust, clock, HOUR)
    clock.set_wall(clock.now() + dt.timedelta(hours=5))  # the box was off: NTP steps it
    run(trust, clock, 24 * HOUR + 5 * 2 * HOUR, tick=600)
    assert trust.newest_seen == clock.now()  # caught up, a day after the step


def test_after_a_reboot_the_mark_catches_up_with_the_real_time():
    """Monotonic time restarts at boot; the mark lags by the time the box was off."""
    stored = START
    clock = FakeSteppedClock(START + dt.timedelta(hours=10), monotonic=5.0)
    trust = TimeTrust(newest_seen=stored)
    assert trust.observe(clock.now(), clock.monotonic()).trusted
    assert trust.newest_seen == stored  # the first reading only starts the count
    clock.advance(60)
    assert trust.seen(clock.now(), clock.monotonic())  # True: the caller should store it
    run(trust, clock, 4 * HOUR - 60)
    assert trust.newest_seen == stored + dt.timedelta(hours=8)
    run(trust, clock, 8 * HOUR)
    assert trust.newest_seen == clock.now()


def test_a_boot_clock_restored_from_the_last_shutdown_is_caught():
    """fake-hwclock restores the time saved at shutdown, hours before the newest seen."""
    trust = TimeTrust(newest_seen=START)
    assert not trust.check(START - dt.timedelta(hours=1)).trusted


def test_times_in_any_zone_compare_as_instants():
    trust = TimeTrust(newest_seen=START)
    hanoi = dt.timezone(dt.timedelta(hours=7))
    assert trust.check(START.astimezone(hanoi)).trusted
    assert trust.newest_seen.tzinfo == UTC


@pytest.mark.parametrize("call", [
    lambda t: t.check(dt.datetime(2027, 2, 6)),
    lambda t: t.seen(dt.datetime(2027, 2, 6), 0.0),
    lambda t: TimeTrust(newest_seen=dt.datetime(2027, 2, 6)),
])
def test_naive_times_are_refused(call):
    with pytest.raises(ValueError, match="aware"):
        call(TimeTrust())
