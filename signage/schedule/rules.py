"""Schedules: which playlist plays when, and when the wall is scheduled off. Pure, no I/O.

A schedule names a `default` playlist and rules that override it, all read in the
schedule's own time zone:
- `weekdays` and `dates` choose days (`dates` are whole days, both ends included);
- `time` chooses a daily window on each chosen day. A window that crosses midnight belongs
  to the day it starts on: Friday 22:00-06:00 runs into Saturday morning, and the window
  on a date range's last day runs into the next morning;
- without `time` a rule covers its chosen days whole, so a range ending 2027-02-10 ends
  at midnight at the end of that day;
- `cron` (with `for`) makes occurrences: every fire of the expression that falls where the
  rule's other conditions hold starts an occurrence lasting `for`.

Conflicts: the higher `priority` wins; at equal priority the narrower rule wins (see
`narrowness`); then the rule written first. `default` is required, so there is never a
gap with nothing to play: when no rule applies, the default plays.

While the clock is not trusted (`trusted=False`) no rule and no power window applies: the
default plays and the wall stays lit, because a wrong clock makes every rule a guess.

The resolver looks HORIZON back and ahead of `now`: `since` and `next_change` are exact
within it and None beyond it (the player then re-resolves at the horizon, or at once when
the content or the clock jumps).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import math
import re
import zoneinfo
from typing import Annotated, Any, Iterable, Literal, NamedTuple

from apscheduler.triggers.cron import CronTrigger
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
HORIZON = dt.timedelta(days=8)  # a weekly pattern plus a night that runs past midnight
MAX_TIMELINE = dt.timedelta(days=62)
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
THANH_THUY_GATE = (22.9, 104.85)  # latitude, longitude of the Thanh Thủy border gate
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# Rules without dates repeat every week, so any week shows whether two of them overlap;
# this Monday is the week validation looks at (cron rules: the OVERLAP_SCAN after it).
REFERENCE_MONDAY = dt.date(2027, 1, 4)
OVERLAP_SCAN = dt.timedelta(days=62)

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
    if not isinstance(value, str):
        raise ValueError("write a cron expression in quotes: minute hour day month weekday, "
                         "e.g. '0 12 * * mon-fri'")
    fields = value.split()
    # APScheduler 3 counts weekday 0 as Monday where crontab counts it as Sunday, so a
    # number there would silently mean another day; names mean the same in both.
    if len(fields) == 5 and re.search(r"\d", fields[4]):
        raise ValueError(f"write the weekday field of {value!r} with names (mon-fri, sat, sun), "
                         "not numbers: cron's 0 is Sunday but APScheduler's 0 is Monday")
    try:
        CronTrigger.from_crontab(value, timezone=UTC)
    except ValueError as exc:
        raise ValueError(f"{value!r} is refused by APScheduler: {exc}; write minute hour day "
                         "month weekday, e.g. '0 12 * * mon-fri'") from None
    return " ".join(fields)


CronExpr = Annotated[str, BeforeValidator(_check_cron)]


def _unique_weekdays(days: list[str] | None) -> list[str] | None:
    if days is not None and len(set(days)) != len(days):
        twice = sorted({d for d in days if days.count(d) > 1}, key=WEEKDAYS.index)
        raise ValueError(f"{', '.join(twice)} is listed twice; list each weekday once")
    return days


class _Days:
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


class Rule(_Days, _Strict):
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


class PowerWindow(_Days, _Strict):
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


# --- spans of time -------------------------------------------------------------------------

Span = tuple[dt.datetime, dt.datetime]  # [start, end) in UTC
Zone = zoneinfo.ZoneInfo


def _instant(day: dt.date, minute: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Wall time `minute` minutes after the start of `day` in `zone`, as UTC."""
    extra, minute = divmod(minute, MINUTES_PER_DAY)
    wall = dt.datetime.combine(day + extra * DAY, dt.time(minute // 60, minute % 60))
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _clip(spans: list[Span], lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    return [(max(s, lo), min(e, hi)) for s, e in spans if e > lo and s < hi]


def _contains(spans: list[Span], starts: list[dt.datetime], t: dt.datetime) -> bool:
    i = bisect.bisect_right(starts, t) - 1
    return i >= 0 and spans[i][0] <= t < spans[i][1]


def _day_spans(when: _Days, zone: Zone, lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    """Where the day conditions hold, merged, for the windows that touch [lo, hi)."""
    first = lo.astimezone(zone).date() - DAY  # yesterday's window may run into today
    last = hi.astimezone(zone).date()
    if when.dates is not None:
        first, last = max(first, when.dates.first), min(last, when.dates.last)
    begin, end = when.window()
    spans = []
    for offset in range((last - first).days + 1):
        day = first + offset * DAY
        if when.on(day):
            span = (_instant(day, begin, zone), _instant(day, end, zone))
            if span[0] < span[1] and span[1] > lo and span[0] < hi:  # DST can empty a window
                spans.append(span)
    return _merge(spans)


def _cron_spans(rule: Rule, zone: Zone, lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    """Occurrences [fire, fire + for) touching [lo, hi), from fires where the rule's day
    conditions hold."""
    length = dt.timedelta(seconds=rule.duration)
    minute, hour, day, month, weekday = rule.cron.split()
    # from_crontab's own field mapping, plus an end date so a rare expression (31 Feb)
    # cannot make APScheduler search for years.
    trigger = CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday,
                          timezone=zone, end_date=hi)
    allowed = _day_spans(rule, zone, lo - length, hi) if rule.chooses_days() else None
    allowed_starts = [s for s, _ in allowed or ()]
    spans = []
    fire = trigger.get_next_fire_time(None, lo - length + dt.timedelta(microseconds=1))
    while fire is not None and fire < hi:
        fire = fire.astimezone(UTC)
        if allowed is None or _contains(allowed, allowed_starts, fire):
            spans.append((fire, fire + length))
        fire = trigger.get_next_fire_time(None, fire + dt.timedelta(microseconds=1))
    return _merge(spans)


def _rule_spans(rule: Rule, zone: Zone, lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    spans = _cron_spans(rule, zone, lo, hi) if rule.cron else _day_spans(rule, zone, lo, hi)
    return _clip(spans, lo, hi)


# --- resolving -----------------------------------------------------------------------------


def narrowness(rule: Rule) -> tuple[float, float, int]:
    """How narrow a rule is; smaller is narrower and wins a tie of priorities.

    Compared in order: the length of one occurrence in seconds (`for` for a cron rule,
    else the daily window, else a whole day); then the days its date range can match
    (unlimited without dates); then how many weekdays it names (7 without weekdays).
    """
    if rule.cron is not None:
        occurrence = float(rule.duration)
    else:
        occurrence = 60.0 * (rule.time.minutes if rule.time else MINUTES_PER_DAY)
    return occurrence, rule.matching_days(), len(rule.weekdays or WEEKDAYS)


def _rank(rule: Rule, index: int) -> tuple:
    """Sort key: the rule that wins a conflict comes first."""
    return (-rule.priority, *narrowness(rule), index)


@dataclasses.dataclass(frozen=True)
class Resolution:
    """What plays at an instant: `rule` None means the default. `since` and `next_change`
    are None when they lie beyond HORIZON."""

    playlist: str
    rule: str | None
    since: dt.datetime | None
    next_change: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class Segment:
    """One stretch of the plan: `playlist` plays from `start` to `end` because of `rule`."""

    start: dt.datetime
    end: dt.datetime
    playlist: str
    rule: str | None


def _require_aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime; give it a time zone")
    return value.astimezone(UTC)


def _segments(schedule: Schedule, lo: dt.datetime, hi: dt.datetime) -> list[Segment]:
    """The plan over [lo, hi) in UTC: consecutive stretches of one (playlist, rule)."""
    zone = schedule.zone
    rules = schedule.rules
    spans = [_rule_spans(rule, zone, lo, hi) for rule in rules]
    starts = [[s for s, _ in rule_spans] for rule_spans in spans]
    order = sorted(range(len(rules)), key=lambda i: _rank(rules[i], i))
    cuts = sorted({lo, hi} | {t for rule_spans in spans for span in rule_spans for t in span})
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        # Every span edge is a cut, so whoever is active at `start` is active until `end`.
        winner = next((i for i in order if _contains(spans[i], starts[i], start)), None)
        playlist, name = ((rules[winner].playlist, rules[winner].name) if winner is not None
                          else (schedule.default, None))
        if out and (out[-1].playlist, out[-1].rule) == (playlist, name):
            out[-1] = dataclasses.replace(out[-1], end=end)
        else:
            out.append(Segment(start, end, playlist, name))
    return out


def resolve(schedule: Schedule, now: dt.datetime, trusted: bool = True) -> Resolution:
    """What plays at `now` and exactly when that changes. With `trusted` False (the clock
    cannot be believed) only the default plays, and no rule is consulted."""
    t = _require_aware(now, "now")
    if not trusted:
        return Resolution(schedule.default, None, None, None)
    lo, hi = t - HORIZON, t + HORIZON
    segment = next(s for s in _segments(schedule, lo, hi) if s.start <= t < s.end)
    zone = schedule.zone
    return Resolution(
        segment.playlist,
        segment.rule,
        segment.start.astimezone(zone) if segment.start > lo else None,
        segment.end.astimezone(zone) if segment.end < hi else None,
    )


def timeline(schedule: Schedule, start: dt.datetime, end: dt.datetime,
             trusted: bool = True) -> list[Segment]:
    """The plan from `start` to `end` (at most MAX_TIMELINE), in the schedule's zone;
    the same stretches resolve() reports one by one."""
    lo, hi = _require_aware(start, "start"), _require_aware(end, "end")
    if not lo < hi <= lo + MAX_TIMELINE:
        raise ValueError(f"a timeline needs start before end and spans at most "
                         f"{MAX_TIMELINE.days} days")
    zone = schedule.zone
    if not trusted:
        return [Segment(lo.astimezone(zone), hi.astimezone(zone), schedule.default, None)]
    return [dataclasses.replace(s, start=s.start.astimezone(zone), end=s.end.astimezone(zone))
            for s in _segments(schedule, lo, hi)]


def format_timeline(segments: list[Segment]) -> str:
    """One line per segment: start, end, playlist, rule (times in the segments' zone)."""
    def stamp(t: dt.datetime) -> str:
        return t.strftime("%Y-%m-%d %a %H:%M")

    return "".join(f"{stamp(s.start)}  {stamp(s.end)}  {s.playlist:<18} {s.rule or '(default)'}\n"
                   for s in segments)


# --- power hours ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PowerState:
    """Whether the wall is lit; when off, `window` is the index in `schedule.power` of the
    (first) window that blanks it. `since`/`next_change` as in Resolution."""

    on: bool
    window: int | None
    since: dt.datetime | None
    next_change: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class PowerSegment:
    start: dt.datetime
    end: dt.datetime
    on: bool
    window: int | None  # the window that blanks the wall at `start`


def _power_segments(schedule: Schedule, lo: dt.datetime, hi: dt.datetime) -> list[PowerSegment]:
    zone = schedule.zone
    spans = [_clip(_day_spans(w, zone, lo, hi), lo, hi) for w in schedule.power]
    starts = [[s for s, _ in window_spans] for window_spans in spans]
    out: list[PowerSegment] = []
    edges = [lo]
    for off_start, off_end in _merge(span for window_spans in spans for span in window_spans):
        edges += [off_start, off_end]
    edges.append(hi)
    for start, end in zip(edges, edges[1:]):
        if start < end:
            window = next((i for i, s in enumerate(spans) if _contains(s, starts[i], start)), None)
            out.append(PowerSegment(start, end, window is None, window))
    return out


def power_state(schedule: Schedule, now: dt.datetime, trusted: bool = True) -> PowerState:
    """Whether the wall is scheduled off at `now`, and exactly when that changes.

    With an untrusted clock no window applies: blanking the wall at a wrong hour looks
    like a fault to travellers, a lit wall at night does not."""
    t = _require_aware(now, "now")
    if not trusted:
        return PowerState(True, None, None, None)
    lo, hi = t - HORIZON, t + HORIZON
    segment = next(s for s in _power_segments(schedule, lo, hi) if s.start <= t < s.end)
    zone = schedule.zone
    window = segment.window
    if not segment.on:  # the lowest-numbered window active now, not at the start of the run
        window = next(i for i, w in enumerate(schedule.power)
                      if any(s <= t < e for s, e in _day_spans(w, zone, t, t + DAY)))
    return PowerState(
        segment.on,
        window,
        segment.start.astimezone(zone) if segment.start > lo else None,
        segment.end.astimezone(zone) if segment.end < hi else None,
    )


def power_timeline(schedule: Schedule, start: dt.datetime, end: dt.datetime,
                   trusted: bool = True) -> list[PowerSegment]:
    """On and off stretches from `start` to `end` (at most MAX_TIMELINE), in the site's zone."""
    lo, hi = _require_aware(start, "start"), _require_aware(end, "end")
    if not lo < hi <= lo + MAX_TIMELINE:
        raise ValueError(f"a timeline needs start before end and spans at most "
                         f"{MAX_TIMELINE.days} days")
    zone = schedule.zone
    segments = (_power_segments(schedule, lo, hi) if trusted
                else [PowerSegment(lo, hi, True, None)])
    return [dataclasses.replace(s, start=s.start.astimezone(zone), end=s.end.astimezone(zone))
            for s in segments]


# --- validation findings -------------------------------------------------------------------


class Finding(NamedTuple):
    """A problem beyond one field: where (a path into the document), why, how bad."""

    path: tuple
    reason: str
    severity: Literal["error", "warning"]


def schedule_findings(schedule: Schedule, known_playlists: set[str] | None = None) -> list[Finding]:
    """Unknown playlists (errors, when `known_playlists` is given), rules that can never
    apply and equal-priority rules that can overlap (warnings).

    There are no gap warnings: `default` is required, so something always plays."""
    findings = []
    if known_playlists is not None:
        findings += _unknown_playlists(schedule, known_playlists)
    for index, rule in enumerate(schedule.rules):
        if rule.matching_days() == 0:
            findings.append(Finding(("rules", index, "weekdays"), _no_days(rule), "warning"))
    for index, window in enumerate(schedule.power):
        if window.matching_days() == 0:
            findings.append(Finding(("power", index, "weekdays"), _no_days(window), "warning"))
    findings += _overlaps(schedule)
    return findings


def _no_days(when: _Days) -> str:
    return (f"none of the days {when.dates.first} to {when.dates.last} is a "
            f"{', '.join(when.weekdays)}, so this never applies; fix the weekdays or the dates")


def _unknown_playlists(schedule: Schedule, known: set[str]) -> list[Finding]:
    hint = ", ".join(sorted(known)) or "none yet"
    named = [(("default",), schedule.default)]
    named += [(("rules", i, "playlist"), rule.playlist) for i, rule in enumerate(schedule.rules)]
    return [Finding(path, f"there is no playlist named {name!r}; add it first or fix the name "
                          f"(known: {hint})", "error")
            for path, name in named if name not in known]


def _overlaps(schedule: Schedule) -> list[Finding]:
    rules = schedule.rules
    findings = []
    for j, later in enumerate(rules):
        for i, earlier in enumerate(rules[:j]):
            if earlier.priority != later.priority:
                continue
            when = _overlap_example(schedule, earlier, later)
            if when is None:
                continue
            winner = earlier if _rank(earlier, i) < _rank(later, j) else later
            findings.append(Finding(
                ("rules", j),
                f"can overlap rule {earlier.name!r} at the same priority {later.priority}, e.g. "
                f"at {when:%Y-%m-%d %a %H:%M}, where {winner.name!r} plays (the narrower, or the "
                "first written); give one a higher priority to make the choice explicit",
                "warning",
            ))
    return findings


def _overlap_example(schedule: Schedule, a: Rule, b: Rule) -> dt.datetime | None:
    """The first instant both rules apply, looking at the days both can match."""
    ranges = [r.dates for r in (a, b) if r.dates is not None]
    first = max((d.first for d in ranges), default=REFERENCE_MONDAY)
    scan = OVERLAP_SCAN if (a.cron or b.cron) else HORIZON
    last = min([d.last + DAY for d in ranges] + [first + scan])  # +DAY: the last night
    zone = schedule.zone
    day = first
    while day <= last:
        lo, hi = _instant(day, 0, zone), _instant(min(day + HORIZON, last + DAY), 0, zone)
        hit = _first_common(_rule_spans(a, zone, lo, hi), _rule_spans(b, zone, lo, hi))
        if hit is not None:
            return hit.astimezone(zone)
        day += HORIZON
    return None


def _first_common(left: list[Span], right: list[Span]) -> dt.datetime | None:
    starts = [max(a[0], b[0]) for a in left for b in right if max(a[0], b[0]) < min(a[1], b[1])]
    return min(starts, default=None)
