"""Schedules: which playlist plays when, and when the wall is scheduled off. Pure, no I/O.

This module reads schedule documents into models and refuses what cannot mean anything;
`resolver` says what plays at an instant, `findings` warns about rules that never apply
or can overlap.

A schedule names a `default` playlist and rules that override it, all read in the
schedule's own time zone:
- `weekdays` and `dates` choose days (`dates` are whole days, both ends included);
- `time` chooses a daily window on each chosen day. A window that crosses midnight belongs
  to the day it starts on: Friday 22:00-06:00 runs into Saturday morning, and the window
  on a date range's last day runs into the next morning;
- without `time` a rule covers its chosen days whole, so a range ending 2027-02-10 ends
  at midnight at the end of that day;
- `cron` (with `for`) makes occurrences: every fire of the expression that falls where the
  rule's other conditions hold starts an occurrence lasting `for`. Expressions mean what
  they mean to cron (crontab(5)): when both the day of the month and the weekday are
  restricted, a day matching either one fires.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from typing import Annotated, Any

from cronsim import CronSim, CronSimError
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

from signage.schedule.brightness import BrightnessPlan
from signage.content.models import Duration, Slug, TimeZoneName, _Strict

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
THANH_THUY_GATE = (22.9, 104.85)  # latitude, longitude of the Thanh Thủy border gate
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

_WINDOW_HINT = "write a daily window as 'HH:MM-HH:MM', e.g. '06:30-08:00' or '22:00-06:00'"


# --- field types ---------------------------------------------------------------------------


def _minute_of_day(text: str, whole: str, is_end: bool) -> int:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not match:
        raise ValueError(f"{whole!r} is not a daily window; {_WINDOW_HINT}")
    hours, minutes = int(match[1]), int(match[2])
    if (hours, minutes) == (24, 0) and is_end:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValueError(
            f"{text.strip()!r} in {whole!r} is not a time of day: hours go 00-23 and minutes "
            "00-59 (24:00 only as an end)"
        )
    return hours * 60 + minutes


class TimeWindow(_Strict):
    """A daily window in minutes after midnight; `end` <= `start` means it crosses midnight."""

    start: int = Field(ge=0, lt=MINUTES_PER_DAY)
    end: int = Field(ge=1, le=MINUTES_PER_DAY)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, TimeWindow):
            return value
        if not isinstance(value, str) or value.count("-") != 1:
            raise ValueError(f"{_WINDOW_HINT} (in quotes)")
        first, last = value.split("-")
        start = _minute_of_day(first, value, is_end=False)
        end = _minute_of_day(last, value, is_end=True)
        if start == end % MINUTES_PER_DAY:
            raise ValueError(
                f"{value!r} starts and ends at the same time; to cover whole days leave `time` out"
            )
        return {"start": start, "end": end}

    @model_serializer
    def _as_text(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"

    @property
    def minutes(self) -> int:
        """How long the window lasts on an ordinary day."""
        return (self.end - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY

    def bounds(self) -> tuple[int, int]:
        """(start, end) in minutes after the start of its day; end may pass 24:00."""
        return self.start, self.start + self.minutes


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _date(value: Any) -> dt.date:
    """A whole day: a YAML date or 'YYYY-MM-DD' text (a date with a time is refused)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2027-02-06")


Day = Annotated[dt.date, BeforeValidator(_date)]


class DateRange(_Strict):
    """Whole days in the schedule's zone, `from` and `to` both included."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)

    first: Day = Field(alias="from")
    last: Day = Field(alias="to")

    @field_validator("last")
    @classmethod
    def _not_backwards(cls, last: dt.date, info) -> dt.date:
        first = info.data.get("first")
        if first is not None and last < first:
            raise ValueError(
                f"ends on {last} before it starts on {first}; swap from and to, or fix the year"
            )
        return last

    def days(self) -> int:
        return (self.last - self.first).days + 1


def _weekday(value: Any) -> str:
    if isinstance(value, str) and value.strip().lower()[:3] in WEEKDAYS:
        name = value.strip().lower()
        full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        if name in WEEKDAYS or name in full:
            return name[:3]
    raise ValueError(f"{value!r} is not a weekday; write mon, tue, wed, thu, fri, sat or sun")


Weekday = Annotated[str, BeforeValidator(_weekday)]


def _check_cron(value: Any) -> str:
    """A five-field crontab expression, read as Debian's cron reads it (cronsim): names or
    numbers for weekdays (0 and 7 are Sunday), ranges such as sun-tue, steps such as 2-3/2,
    and a day of the month OR a weekday when both are restricted."""
    if not isinstance(value, str):
        raise ValueError("write a cron expression in quotes: minute hour day month weekday, "
                         "e.g. '0 12 * * mon-fri'")
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(f"{value!r} has {len(fields)} fields; write five: minute hour day "
                         "month weekday, e.g. '0 12 * * mon-fri'")
    expression = " ".join(fields)
    try:
        CronSim(expression, dt.datetime(2000, 1, 1))
    except CronSimError as exc:
        raise ValueError(f"{value!r}: {str(exc).lower()}; write minute (0-59) hour (0-23) "
                         "day (1-31) month (1-12 or jan-dec) weekday (0-7 or sun-sat), e.g. "
                         "'0 12 * * mon-fri'") from None
    return expression


CronExpr = Annotated[str, BeforeValidator(_check_cron)]


def _unique_weekdays(days: list[str] | None) -> list[str] | None:
    if days is not None and len(set(days)) != len(days):
        twice = sorted({d for d in days if days.count(d) > 1}, key=WEEKDAYS.index)
        raise ValueError(f"{', '.join(twice)} is listed twice; list each weekday once")
    return days


class ChosenDays:
    """What rules and power windows share: weekdays, a daily window and a date range.

    (A plain mixin: each model declares the fields itself, in its own order.)"""

    def on(self, day: dt.date) -> bool:
        """Whether `day` is one of the chosen days (its window starts on it)."""
        if self.dates is not None and not self.dates.first <= day <= self.dates.last:
            return False
        return self.weekdays is None or WEEKDAYS[day.weekday()] in self.weekdays

    def window(self) -> tuple[int, int]:
        return self.time.bounds() if self.time is not None else (0, MINUTES_PER_DAY)

    def chooses_days(self) -> bool:
        return self.weekdays is not None or self.time is not None or self.dates is not None

    def matching_days(self) -> float:
        """Days in the date range on the chosen weekdays (infinite without dates)."""
        if self.dates is None:
            return math.inf
        weeks, rest = divmod(self.dates.days(), 7)
        chosen = set(self.weekdays or WEEKDAYS)
        tail = sum(WEEKDAYS[(self.dates.first.weekday() + i) % 7] in chosen for i in range(rest))
        return weeks * len(chosen) + tail


class Rule(ChosenDays, _Strict):
    """Play `playlist` whenever every condition given holds."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)

    name: Slug
    playlist: Slug
    weekdays: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    time: TimeWindow | None = None
    dates: DateRange | None = None
    cron: CronExpr | None = None
    duration: Duration | None = Field(None, alias="for")
    priority: int = Field(0, ge=-1000, le=1000)

    _weekdays_once = field_validator("weekdays")(_unique_weekdays)

    @model_validator(mode="after")
    def _consistent(self) -> "Rule":
        if self.cron is not None and self.duration is None:
            raise ValueError("a cron rule needs `for`: how long each occurrence lasts, "
                             "e.g. for: 30m")
        if self.cron is None and self.duration is not None:
            raise ValueError("`for` goes with `cron`; remove it, or add a cron expression")
        if self.cron is None and not self.chooses_days():
            raise ValueError("give at least one of weekdays, time, dates or cron; "
                             "what plays when no rule applies is the schedule's default")
        return self


class PowerWindow(ChosenDays, _Strict):
    """A window when the wall is blanked (scheduled off)."""

    weekdays: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    time: TimeWindow | None = None
    dates: DateRange | None = None

    _weekdays_once = field_validator("weekdays")(_unique_weekdays)

    @model_validator(mode="after")
    def _bounded(self) -> "PowerWindow":
        if not self.chooses_days():
            raise ValueError("give at least one of time, weekdays or dates, "
                             "or the wall would be off all the time")
        return self


class Site(_Strict):
    """Where the wall stands (for sunrise and sunset); defaults to the Thanh Thủy gate."""

    latitude: float = Field(THANH_THUY_GATE[0], ge=-90, le=90)
    longitude: float = Field(THANH_THUY_GATE[1], ge=-180, le=180)


class Schedule(_Strict):
    """What plays when at one site, when the wall is off, and how bright it is."""

    name: Slug = "default"
    timezone: TimeZoneName = DEFAULT_ZONE
    site: Site = Site()
    default: Slug
    rules: list[Rule] = Field(default_factory=list, max_length=200)
    power: list[PowerWindow] = Field(default_factory=list, max_length=50)
    brightness: BrightnessPlan | None = None

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, rules: list[Rule]) -> list[Rule]:
        names = [rule.name for rule in rules]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"rule names must differ; {', '.join(twice)} is used twice")
        return rules

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def playlists(self) -> set[str]:
        """Every playlist the schedule can play."""
        return {self.default} | {rule.playlist for rule in self.rules}
