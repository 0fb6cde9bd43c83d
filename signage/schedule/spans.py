"""Spans of time: where a rule's or a power window's conditions hold, as [start, end)
pairs in UTC, merged and sorted. Pure, no I/O; the resolver and the findings build on it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from typing import Iterable

from cronsim import CronSim

from signage.schedule.rules import DAY, MINUTES_PER_DAY, UTC, ChosenDays, Rule

Span = tuple[dt.datetime, dt.datetime]  # [start, end) in UTC
Zone = zoneinfo.ZoneInfo


def instant(day: dt.date, minute: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Wall time `minute` minutes after the start of `day` in `zone`, as UTC."""
    extra, minute = divmod(minute, MINUTES_PER_DAY)
    wall = dt.datetime.combine(day + extra * DAY, dt.time(minute // 60, minute % 60))
    return wall.replace(tzinfo=zone).astimezone(UTC)


def merge(spans: Iterable[Span]) -> list[Span]:
    """`spans` sorted, with overlapping or touching ones joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def clip(spans: list[Span], lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    """The parts of `spans` inside [lo, hi)."""
    return [(max(s, lo), min(e, hi)) for s, e in spans if e > lo and s < hi]


def contains(spans: list[Span], starts: list[dt.datetime], t: dt.datetime) -> bool:
    """Whether `t` lies in one of the merged `spans` (`starts`: their starts, to bisect)."""
    i = bisect.bisect_right(starts, t) - 1
    return i >= 0 and spans[i][0] <= t < spans[i][1]


def day_spans(when: ChosenDays, zone: Zone, lo: dt.datetime, hi: dt.datetime) -> list[Span]:
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
            span = (instant(day, begin, zone), instant(day, end, zone))
            if span[0] < span[1] and span[1] > lo and span[0] < hi:  # DST can empty a window
                spans.append(span)
    return merge(spans)


def cron_spans(rule: Rule, zone: Zone, lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    """Occurrences [fire, fire + for) touching [lo, hi), from fires where the rule's day
    conditions hold. Fires are cron's own, in the schedule's zone (cronsim follows Debian's
    cron, DST transitions included)."""
    length = dt.timedelta(seconds=rule.duration)
    allowed = day_spans(rule, zone, lo - length, hi) if rule.chooses_days() else None
    allowed_starts = [s for s, _ in allowed or ()]
    spans = []
    # cronsim gives the fires strictly after its start, so an occurrence that began exactly
    # `for` before lo (and so ends at lo) is not counted, as before.
    for fire in CronSim(rule.cron, (lo - length).astimezone(zone)):
        fire = fire.astimezone(UTC)
        if fire >= hi:
            break
        if allowed is None or contains(allowed, allowed_starts, fire):
            spans.append((fire, fire + length))
    return merge(spans)


def rule_spans(rule: Rule, zone: Zone, lo: dt.datetime, hi: dt.datetime) -> list[Span]:
    """Where `rule` applies within [lo, hi)."""
    spans = cron_spans(rule, zone, lo, hi) if rule.cron else day_spans(rule, zone, lo, hi)
    return clip(spans, lo, hi)
