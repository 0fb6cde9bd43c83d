"""Brightness by the sun: a day level, a night level and a ramp through civil twilight.

Pure functions of (plan, now, site). The ramp is linear in the sun's geometric elevation
between -6 deg (civil dawn/dusk) and -0.833 deg (sunrise/sunset as astral defines them):
the night level at dawn, the day level at sunrise. Why elevation rather than a curve in
clock time between the day's events: the sky's light follows the elevation, so the ramp
is as long as the twilight is in each season and place; it is monotonic in each twilight
by construction; and it needs no sunrise lookup, which fails in a polar day or night,
where the elevation simply never crosses the thresholds and one level holds.

Inside a ramp the level moves in whole `min_step`s from where the ramp starts, so the
driver is not sent a stream of invisible changes and each change is one small step.
The player asks `recheck_after` when to look again: at most RAMP_RECHECK_S (5 s) in a
ramp, less if one step would take less (a steep curve), so no update is ever more than
one step; on a plateau up to MAX_RECHECK_S. Curve and cap hours are read in the zone of
the `now` you pass: pass `now` in the site's zone.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from astral import Observer
from astral.sun import elevation as sun_elevation
from pydantic import BeforeValidator, Field, PlainSerializer, field_validator, model_validator

from signage.content.models import Refusal, _Strict

CIVIL_TWILIGHT_DEG = -6.0
SUNRISE_DEG = -0.833  # upper limb on the horizon with standard refraction (astral's sunrise)
# The sun's elevation changes by at most 15 deg an hour (the Earth's turn), so a plateau
# can be slept through for (distance to the ramp) / this rate without missing the ramp.
MAX_ELEVATION_RATE_DEG_S = 15.0 / 3600
RAMP_RECHECK_S = 5.0
MAX_RECHECK_S = 300.0

Source = Literal["sun", "curve", "override", "night-cap"]


def _percent(value: Any) -> float:
    """80, 80.5 or '80%' -> 80.0, refused outside 0-100."""
    if isinstance(value, bool):
        raise Refusal("bad_level", "write a level in percent, e.g. 80 or '80%'")
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*%?\s*", value):
        value = float(value.strip().rstrip("%"))
    if not isinstance(value, (int, float)):
        raise Refusal("bad_level", "write a level in percent, e.g. 80 or '80%'")
    if not 0 <= value <= 100:
        raise Refusal("level_range",
                      f"must be between 0 and 100 percent (got {value:g})",
                      value=value)
    return float(value)


Percent = Annotated[float, BeforeValidator(_percent)]


def parse_clock_time(value: Any) -> int:
    """'06:30' -> minutes after midnight (0-1439).

    YAML 1.1 reads an unquoted 12:00 as the number 720 (base 60); such numbers are
    accepted as the time they came from. Small numbers (e.g. 6) are refused because
    they are more likely meant as hours."""
    if isinstance(value, int) and not isinstance(value, bool) and 60 <= value < 24 * 60:
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return int(match[1]) * 60 + int(match[2])
        if value.strip() == "24:00":
            return 24 * 60
    raise Refusal("bad_clock_time",
                  f"{value!r} is not a time of day; write it as 'HH:MM', e.g. '06:30'",
                  value=str(value)[:40])


def format_clock_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_window(value: Any) -> tuple[int, int]:
    """'23:00-05:00' -> (1380, 300); the window may cross midnight."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        start, end = value
    elif isinstance(value, str) and value.count("-") == 1:
        start, end = value.split("-")
    else:
        raise Refusal("bad_hours", "write hours as 'HH:MM-HH:MM', e.g. '23:00-05:00'")
    start, end = parse_clock_time(start), parse_clock_time(end) % (24 * 60)
    if start == end:
        raise Refusal("same_hours",
                      "the hours start and end at the same time; leave hours out for all night")
    return start, end


Window = Annotated[
    tuple[int, int], BeforeValidator(_parse_window),
    PlainSerializer(lambda w: "-".join(map(format_clock_time, w)), return_type=str),
]


def _parse_curve(value: Any) -> tuple[tuple[int, float], ...]:
    """{'06:00': 20, '07:00': 90} -> ((360, 20.0), (420, 90.0)), sorted by time."""
    if not isinstance(value, dict) or not value:
        raise Refusal("bad_curve",
                      "write the curve as time: level pairs, e.g. {'06:00': 20, '07:00': 90}")
    points = sorted((parse_clock_time(at), _percent(level)) for at, level in value.items())
    times = [at for at, _level in points]
    if len(set(times)) != len(times):
        raise Refusal("curve_time_twice", "each time may appear once in the curve")
    return tuple(points)


Curve = Annotated[
    tuple[tuple[int, float], ...], BeforeValidator(_parse_curve),
    PlainSerializer(lambda c: {format_clock_time(at): level for at, level in c}, return_type=dict),
]


class NightCap(_Strict):
    """The most the wall may show at night, e.g. by a local rule; `hours` left out means
    from dusk to dawn."""

    level: Percent
    hours: Window | None = None


class BrightnessPlan(_Strict):
    """How bright the wall is: by the sun (default) or by a fixed time-of-day curve."""

    mode: Literal["sun", "curve"] = "sun"
    day: Percent = 100.0
    night: Percent = 25.0
    curve: Curve | None = None
    night_cap: NightCap | None = None
    min_step: float = Field(1.0, ge=0.1, le=20, description="smallest change sent, percent")

    @model_validator(mode="after")
    def _consistent(self) -> "BrightnessPlan":
        if self.mode == "curve" and self.curve is None:
            raise Refusal("curve_missing",
                          "mode curve needs a curve, e.g. curve: {'06:00': 20, '07:00': 90}")
        if self.mode == "sun" and self.curve is not None:
            raise Refusal("curve_unused",
                          "a curve is used only with mode: curve; set mode: curve or remove it")
        if self.night > self.day:
            raise Refusal("night_brighter",
                          f"night ({self.night:g}%) must not be brighter than day ({self.day:g}%)",
                          night=self.night, day=self.day)
        return self


class Override(_Strict):
    """A technician's level that holds until `until`, then the plan takes over again."""

    level: Percent
    until: dt.datetime

    @field_validator("until")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise Refusal("timezone_aware", "give until with a time zone, e.g. "
                          "2027-02-06T18:00+07:00")
        return value


# --- the level at a moment ---------------------------------------------------------------


def solar_elevation(now: dt.datetime, latitude: float, longitude: float) -> float:
    """The sun's geometric elevation in degrees (no refraction, so it is smooth in time)."""
    _require_aware(now)
    observer = Observer(latitude=latitude, longitude=longitude)
    return sun_elevation(observer, now.astimezone(dt.timezone.utc), with_refraction=False)


def level_at(plan: BrightnessPlan, now: dt.datetime, latitude: float, longitude: float) -> float:
    """The plan's level at `now` in percent: by sun or curve, under the night cap."""
    return _plan_level(plan, now, latitude, longitude)[0]


def effective_level(
    plan: BrightnessPlan, now: dt.datetime, latitude: float, longitude: float,
    override: Override | None = None,
) -> tuple[float, Source]:
    """(level, source): an unexpired override wins over the plan and its night cap, so a
    technician on site at night can see the modules at full light."""
    _require_aware(now)
    if override is not None and now < override.until:
        return override.level, "override"
    return _plan_level(plan, now, latitude, longitude)


def recheck_after(
    plan: BrightnessPlan, now: dt.datetime, latitude: float, longitude: float,
    override: Override | None = None,
) -> float:
    """Seconds until the level may next change by a step: short inside a ramp (so each
    update moves at most one `min_step`), longer on a plateau, never over MAX_RECHECK_S."""
    _require_aware(now)
    if override is not None and now < override.until:
        return _clamp_recheck((override.until - now).total_seconds(), MAX_RECHECK_S)
    if plan.mode == "sun":
        wait = _sun_wait(plan, solar_elevation(now, latitude, longitude))
    else:
        wait = _curve_wait(plan, _minute_of_day(now))
    cap = plan.night_cap
    if cap is not None and cap.hours is not None:
        wait = min(wait, _minutes_until_edge(cap.hours, _minute_of_day(now)) * 60)
    elif cap is not None and plan.mode == "curve":
        wait = min(wait, _sun_wait(plan, solar_elevation(now, latitude, longitude)))
    return _clamp_recheck(wait, MAX_RECHECK_S)


def _plan_level(
    plan: BrightnessPlan, now: dt.datetime, latitude: float, longitude: float,
) -> tuple[float, Source]:
    _require_aware(now)
    elevation: float | None = None
    if plan.mode == "sun":
        elevation = solar_elevation(now, latitude, longitude)
        fraction = _twilight_fraction(elevation)
        level, source = _stepped(plan.night, plan.day, fraction, plan.min_step), "sun"
    else:
        level, source = _curve_level(plan, _minute_of_day(now)), "curve"
    cap = plan.night_cap
    if cap is None or level <= cap.level:
        return level, source
    if cap.hours is not None:
        capped = _in_window(cap.hours, _minute_of_day(now))
    else:
        if elevation is None:
            elevation = solar_elevation(now, latitude, longitude)
        capped = elevation < CIVIL_TWILIGHT_DEG
    return (cap.level, "night-cap") if capped else (level, source)


def _twilight_fraction(elevation: float) -> float:
    """0 at or below civil dusk/dawn, 1 at or above sunrise/sunset, linear between."""
    fraction = (elevation - CIVIL_TWILIGHT_DEG) / (SUNRISE_DEG - CIVIL_TWILIGHT_DEG)
    return min(1.0, max(0.0, fraction))


def _stepped(start: float, end: float, fraction: float, step: float) -> float:
    """A point `fraction` of the way from start to end, moved in whole steps from start;
    the ends are exact, so a ramp lands on the day or night level itself."""
    if fraction <= 0:
        return start
    if fraction >= 1:
        return end
    span = abs(end - start)
    moved = min(span, round(span * fraction / step) * step)
    return start + math.copysign(moved, end - start)


def _minute_of_day(now: dt.datetime) -> float:
    return now.hour * 60 + now.minute + (now.second + now.microsecond / 1e6) / 60


def _curve_segment(plan: BrightnessPlan, minute: float) -> tuple[float, float, float, float]:
    """(start minute, start level, end minute, end level) around `minute`; the curve wraps
    at midnight, so the end minute may be past 1440 and the start minute below 0."""
    points = plan.curve or ()
    after = next((i for i, (at, _level) in enumerate(points) if at > minute), len(points))
    start_at, start_level = points[after - 1] if after else points[-1]
    end_at, end_level = points[after] if after < len(points) else points[0]
    if start_at > minute:
        start_at -= 24 * 60
    if end_at <= minute:
        end_at += 24 * 60
    return start_at, start_level, end_at, end_level


def _curve_level(plan: BrightnessPlan, minute: float) -> float:
    start_at, start_level, end_at, end_level = _curve_segment(plan, minute)
    fraction = (minute - start_at) / (end_at - start_at)
    return _stepped(start_level, end_level, fraction, plan.min_step)


def _curve_wait(plan: BrightnessPlan, minute: float) -> float:
    start_at, start_level, end_at, end_level = _curve_segment(plan, minute)
    if start_level == end_level:
        return (end_at - minute) * 60
    seconds_per_step = plan.min_step / abs(end_level - start_level) * (end_at - start_at) * 60
    return min(RAMP_RECHECK_S, seconds_per_step)


def _sun_wait(plan: BrightnessPlan, elevation: float) -> float:
    span_deg = SUNRISE_DEG - CIVIL_TWILIGHT_DEG
    if CIVIL_TWILIGHT_DEG < elevation < SUNRISE_DEG:
        percent_per_s = (plan.day - plan.night) / span_deg * MAX_ELEVATION_RATE_DEG_S
        if not percent_per_s:  # day and night alike: nothing to follow
            return RAMP_RECHECK_S
        return min(RAMP_RECHECK_S, plan.min_step / percent_per_s)
    distance = min(abs(elevation - CIVIL_TWILIGHT_DEG), abs(elevation - SUNRISE_DEG))
    return distance / MAX_ELEVATION_RATE_DEG_S


def _in_window(window: tuple[int, int], minute: float) -> bool:
    start, end = window
    return start <= minute < end if start < end else minute >= start or minute < end


def _minutes_until_edge(window: tuple[int, int], minute: float) -> float:
    return min((edge - minute) % (24 * 60) or 24 * 60 for edge in window)


def _clamp_recheck(seconds: float, ceiling: float) -> float:
    return min(ceiling, max(0.5, seconds))


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("brightness needs an aware datetime in the site's zone (give it a tzinfo)")
