"""Seeing the plan: a day's timeline as rows and as text.

`day_timeline` merges what plays (the resolver's timeline), when the wall is on (power
windows) and how bright it is (the brightness plan) into rows; `format_day` prints them
for `signage schedule --date`, and `signage.render.weekchart` draws seven days of them as a
PNG for `--png`. The plan is worked out as if the clock were trusted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from astral import Observer
from astral.sun import sun

from signage.schedule import resolver
from signage.schedule.brightness import BrightnessPlan, level_at
from signage.schedule.rules import Schedule

VI_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BRIGHTNESS_SAMPLE = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class DayRow:
    """One stretch of a day in which the playlist, the rule and the power do not change."""

    start: dt.datetime
    end: dt.datetime
    playlist: str
    rule: str
    power_on: bool
    brightness_start: float | None  # None when the schedule does not set brightness
    brightness_min: float | None
    brightness_max: float | None


def shown_playlist(name: str, schedule: Schedule, published: set[str]) -> str | None:
    """What really plays when the schedule picks `name`: it, else the default when `name`
    is not published, else None (the standby card)."""
    return next((n for n in (name, schedule.default) if n in published), None)


def day_label(date: dt.date) -> str:
    """'T7 06/02/2027 (Saturday)': the Vietnamese weekday and date, then the English day."""
    return f"{VI_WEEKDAYS[date.weekday()]} {date:%d/%m/%Y} ({EN_WEEKDAYS[date.weekday()]})"


def day_timeline(schedule: Schedule, date: dt.date, brightness: bool = True) -> list[DayRow]:
    """The rows of one local day, midnight to midnight in the schedule's zone; without
    `brightness` the rows' brightness is left out (None), which is most of the work."""
    zone = schedule.zone
    start = dt.datetime.combine(date, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return _rows(schedule, start, end, brightness)


def format_day(schedule: Schedule, date: dt.date) -> str:
    """The day's timeline as a table for a terminal."""
    rows = day_timeline(schedule, date)
    midnight = dt.datetime.combine(date, dt.time())
    lines = [
        f"{day_label(date)}  {schedule.timezone}  {site_coordinates(schedule)}",
        *_sun_line(schedule, date),
        f"{'from':<6} {'to':<6} {'playlist':<20} {'rule':<20} {'power':<6} brightness",
    ]
    for row in rows:
        lines.append(
            f"{_hhmm(row.start, midnight):<6} {_hhmm(row.end, midnight):<6} "
            f"{row.playlist:<20} {row.rule:<20} {'on' if row.power_on else 'OFF':<6} "
            f"{_brightness_text(row)}"
        )
    return "\n".join(lines) + "\n"


def site_coordinates(schedule: Schedule) -> str:
    """'22.90N 104.85E': the site, with the hemisphere as a letter."""
    lat, lon = schedule.site.latitude, schedule.site.longitude
    return f"{abs(lat):.2f}{'N' if lat >= 0 else 'S'} {abs(lon):.2f}{'E' if lon >= 0 else 'W'}"


def _sun_line(schedule: Schedule, date: dt.date) -> list[str]:
    """When the twilight ramps run, so staff see why brightness changes when it does."""
    plan = schedule.brightness
    if plan is None or plan.mode != "sun":
        return []
    observer = Observer(schedule.site.latitude, schedule.site.longitude)
    try:
        events = sun(observer, date, tzinfo=schedule.zone)
    except ValueError:  # astral's way of saying the sun does not rise or set that day
        return ["sun: no sunrise or sunset on this day (polar day or night)"]
    names = ("dawn", "sunrise", "sunset", "dusk")
    return ["sun: " + "  ".join(f"{name} {events[name]:%H:%M}" for name in names)]


# --- rows ------------------------------------------------------------------------------


def _rows(schedule: Schedule, start: dt.datetime, end: dt.datetime,
          brightness: bool = True) -> list[DayRow]:
    segments = resolver.timeline(schedule, start, end)
    power = resolver.power_timeline(schedule, start, end)
    cuts = sorted({t for s in [*segments, *power] for t in (s.start, s.end)})
    rows = []  # every cut is a change of playlist, rule or power, so no two rows are alike
    for row_start, row_end in zip(cuts, cuts[1:]):
        segment = next(s for s in segments if s.start <= row_start < s.end)
        on = next(p.on for p in power if p.start <= row_start < p.end)
        levels = _brightness(schedule, row_start, row_end) if brightness else (None,) * 3
        rows.append(DayRow(row_start, row_end, segment.playlist, segment.rule or "default", on,
                           *levels))
    return rows


def _brightness(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> tuple:
    plan = schedule.brightness
    if plan is None:
        return None, None, None
    levels = brightness_levels(plan, schedule, _sample_times(start, end))
    return levels[0], min(levels), max(levels)


def _sample_times(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    times, now = [], start
    while now < end:
        times.append(now)
        now += BRIGHTNESS_SAMPLE
    return times + [end - dt.timedelta(seconds=1)]


def brightness_levels(plan: BrightnessPlan, schedule: Schedule,
                      times: Iterable[dt.datetime]) -> list[float]:
    """The plan's brightness (percent) at each of `times`, at the schedule's site."""
    site = schedule.site
    return [level_at(plan, t, site.latitude, site.longitude) for t in times]


def _hhmm(moment: dt.datetime, midnight: dt.datetime) -> str:
    minutes = round((moment.replace(tzinfo=None) - midnight).total_seconds() / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _brightness_text(row: DayRow) -> str:
    if row.brightness_start is None or not row.power_on:
        return "-"
    if row.brightness_min == row.brightness_max:
        return f"{row.brightness_start:g}%"
    return f"{row.brightness_start:g}% ({row.brightness_min:g}-{row.brightness_max:g}%)"
