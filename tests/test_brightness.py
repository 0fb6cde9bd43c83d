"""Brightness by the sun at the Thanh Thuy gate, the curve, the night cap and overrides."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import yaml
from astral import Observer
from astral.sun import sun
from pydantic import ValidationError

from signage.schedule.brightness import (
    MAX_RECHECK_S,
    RAMP_RECHECK_S,
    BrightnessPlan,
    Override,
    effective_level,
    level_at,
    recheck_after,
)

ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
LAT, LON = 22.9, 104.85
DAYS = [dt.date(2027, 2, 6), dt.date(2027, 6, 21), dt.date(2027, 12, 21)]
PLAN = BrightnessPlan(day=90, night=15)


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZONE)


def gate_sun(day: dt.date) -> dict:
    return sun(Observer(LAT, LON), day, tzinfo=ZONE)


def minutes(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    count = int((end - start).total_seconds() // 60) + 1
    return [start + dt.timedelta(minutes=i) for i in range(count)]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_solar_noon_is_the_day_level_and_midnight_the_night_level(day):
    assert level_at(PLAN, gate_sun(day)["noon"], LAT, LON) == 90
    assert level_at(PLAN, at(day, 0), LAT, LON) == 15
    assert effective_level(PLAN, at(day, 0), LAT, LON) == (15, "sun")


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_morning_ramp_rises_minute_by_minute_from_dawn_to_sunrise(day):
    events = gate_sun(day)
    levels = [level_at(PLAN, t, LAT, LON)
              for t in minutes(events["dawn"] - dt.timedelta(minutes=1),
                               events["sunrise"] + dt.timedelta(minutes=1))]
    assert levels[0] == 15 and levels[-1] == 90
    assert all(a <= b for a, b in zip(levels, levels[1:])), levels
    assert len(set(levels)) > 15, "a ramp, not a switch"


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_evening_ramp_falls_minute_by_minute_from_sunset_to_dusk(day):
    events = gate_sun(day)
    levels = [level_at(PLAN, t, LAT, LON)
              for t in minutes(events["sunset"] - dt.timedelta(minutes=1),
                               events["dusk"] + dt.timedelta(minutes=1))]
    assert levels[0] == 90 and levels[-1] == 15
    assert all(a >= b for a, b in zip(levels, levels[1:])), levels
    assert len(set(levels)) > 15


def test_ramp_levels_move_in_whole_steps_from_the_night_level():
    plan = BrightnessPlan(day=90, night=15, min_step=5)
    events = gate_sun(DAYS[0])
    levels = {level_at(plan, t, LAT, LON) for t in minutes(events["dawn"], events["sunrise"])}
    assert levels <= {15 + 5 * k for k in range(16)}
    assert {15, 90} <= levels


@pytest.mark.parametrize("plan", [
    PLAN,
    BrightnessPlan(day=100, night=0, min_step=0.5),
    BrightnessPlan(mode="curve", curve={"05:00": 0, "05:10": 100, "20:00": 100, "21:00": 30}),
], ids=["sun", "sun-fine-steps", "steep-curve"])
def test_re_evaluating_when_told_never_moves_more_than_one_step(plan):
    """The player re-evaluates after `recheck_after`; no update may be a visible jump."""
    now, end = at(DAYS[0], 0), at(DAYS[0], 23, 59)
    previous = level_at(plan, now, LAT, LON)
    seen = {previous}
    while now < end:
        wait = recheck_after(plan, now, LAT, LON)
        assert 0.5 <= wait <= MAX_RECHECK_S
        now += dt.timedelta(seconds=wait)
        level = level_at(plan, now, LAT, LON)
        assert abs(level - previous) <= plan.min_step + 1e-9, (now, previous, level)
        previous = level
        seen.add(level)
    assert {min(seen), max(seen)} == ({plan.night, plan.day} if plan.mode == "sun" else {0, 100})


def test_recheck_is_short_in_twilight_and_long_at_noon():
    events = gate_sun(DAYS[0])
    assert recheck_after(PLAN, events["dawn"] + dt.timedelta(minutes=5), LAT, LON) <= RAMP_RECHECK_S
    assert recheck_after(PLAN, events["noon"], LAT, LON) == MAX_RECHECK_S


def test_an_override_wins_until_it_expires():
    until = at(DAYS[0], 12, 30)
    override = Override(level=40, until=until)
    noon = gate_sun(DAYS[0])["noon"]
    assert effective_level(PLAN, noon, LAT, LON, override) == (40, "override")
    just_before = until - dt.timedelta(seconds=1)
    assert effective_level(PLAN, just_before, LAT, LON, override) == (40, "override")
    assert effective_level(PLAN, until, LAT, LON, override) == (90, "sun")
    assert recheck_after(PLAN, until - dt.timedelta(seconds=30), LAT, LON, override) == 30


def test_an_override_needs_an_aware_expiry():
    with pytest.raises(ValidationError, match="time zone"):
        Override(level=40, until=dt.datetime(2027, 2, 6, 18, 0))


def test_curve_mode_interpolates_and_wraps_past_midnight():
    plan = BrightnessPlan(mode="curve", min_step=0.5,
                          curve={"02:00": 5, "06:00": 20, "08:00": 80, "22:00": 60})
    day = DAYS[0]
    assert effective_level(plan, at(day, 7), LAT, LON) == (50, "curve")
    assert level_at(plan, at(day, 12), LAT, LON) == pytest.approx(80 - 20 * 4 / 14, abs=0.5)
    assert level_at(plan, at(day, 0), LAT, LON) == 32.5  # halfway from 22:00 (60) to 02:00 (5)
    assert level_at(plan, at(day, 2), LAT, LON) == 5
    assert level_at(plan, at(day, 22), LAT, LON) == 60


def test_a_single_point_curve_is_constant():
    plan = BrightnessPlan(mode="curve", curve={"06:00": 70})
    assert {level_at(plan, at(DAYS[0], h), LAT, LON) for h in range(24)} == {70}


def test_night_cap_hours_limit_the_level_and_cross_midnight():
    plan = BrightnessPlan(day=100, night=40, night_cap={"level": 10, "hours": "23:00-05:00"})
    day = DAYS[0]
    assert effective_level(plan, at(day, 22, 59), LAT, LON) == (40, "sun")
    assert effective_level(plan, at(day, 23, 0), LAT, LON) == (10, "night-cap")
    assert effective_level(plan, at(day, 4, 59), LAT, LON) == (10, "night-cap")
    assert effective_level(plan, at(day, 5, 0), LAT, LON) == (40, "sun")
    assert effective_level(plan, gate_sun(day)["noon"], LAT, LON) == (100, "sun")


def test_a_whole_night_cap_follows_the_sun_in_curve_mode():
    plan = BrightnessPlan(mode="curve", curve={"00:00": 50}, night_cap={"level": 20})
    events = gate_sun(DAYS[0])
    assert effective_level(plan, at(DAYS[0], 0), LAT, LON) == (20, "night-cap")
    assert effective_level(plan, events["noon"], LAT, LON) == (50, "curve")
    minute = dt.timedelta(minutes=1)
    assert effective_level(plan, events["dusk"] + minute, LAT, LON)[1] == "night-cap"
    assert effective_level(plan, events["dusk"] - minute, LAT, LON)[1] == "curve"


def test_a_cap_above_the_level_changes_nothing():
    plan = BrightnessPlan(day=100, night=5, night_cap={"level": 10})
    assert effective_level(plan, at(DAYS[0], 0), LAT, LON) == (5, "sun")


def test_an_override_beats_the_night_cap():
    plan = BrightnessPlan(day=100, night=40, night_cap={"level": 10})
    override = Override(level=100, until=at(DAYS[0], 1))
    assert effective_level(plan, at(DAYS[0], 0), LAT, LON, override) == (100, "override")


@pytest.mark.parametrize("latitude, month, expected", [
    (78.2, 12, 15), (78.2, 6, 90), (89.95, 6, 90), (-89.95, 6, 15),
], ids=["svalbard-polar-night", "svalbard-midnight-sun", "north-pole-summer", "south-pole-winter"])
def test_polar_days_and_nights_hold_one_level_without_errors(latitude, month, expected):
    day = dt.date(2027, month, 21)
    levels = {level_at(PLAN, at(day, h), latitude, 15.6) for h in range(24)}
    assert levels == {expected}
    assert recheck_after(PLAN, at(day, 12), latitude, 15.6) > RAMP_RECHECK_S


def test_a_plan_reads_from_yaml_with_unquoted_times():
    text = """
mode: curve
curve:
  06:00: 20
  12:30: 90
  "22:00": 30
night_cap: {level: 10, hours: 23:00-05:00}
"""
    plan = BrightnessPlan.model_validate(yaml.safe_load(text))
    assert plan.curve == ((360, 20.0), (750, 90.0), (1320, 30.0))
    assert plan.model_dump(mode="json")["curve"] == {"06:00": 20, "12:30": 90, "22:00": 30}
    assert plan.model_dump(mode="json")["night_cap"]["hours"] == "23:00-05:00"
    assert BrightnessPlan.model_validate(plan.model_dump(mode="json")) == plan


@pytest.mark.parametrize("data, message", [
    ({"day": 20, "night": 40}, "night (40%) must not be brighter than day (20%)"),
    ({"mode": "curve"}, "mode curve needs a curve"),
    ({"curve": {"06:00": 20}}, "set mode: curve or remove it"),
    ({"mode": "curve", "curve": {"6": 20}}, "write it as 'HH:MM'"),
    ({"mode": "curve", "curve": {"25:00": 20}}, "write it as 'HH:MM'"),
    ({"day": "120%"}, "between 0 and 100"),
    ({"night_cap": {"level": 10, "hours": "23:00"}}, "'HH:MM-HH:MM'"),
    ({"nigth": 10}, "Extra inputs are not permitted"),
])
def test_a_bad_plan_is_refused_with_a_message_that_says_what_to_do(data, message):
    with pytest.raises(ValidationError) as caught:
        BrightnessPlan.model_validate(data)
    assert message in str(caught.value)


def test_percent_strings_are_accepted():
    assert BrightnessPlan(day="80%", night="10").day == 80


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        level_at(PLAN, dt.datetime(2027, 2, 6, 12), LAT, LON)
