"""Resolving a schedule: what plays at an instant and exactly when that changes, the plan
over a stretch of days, and the power hours. Pure, no I/O.

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

import dataclasses
import datetime as dt

from signage.schedule.rules import DAY, MINUTES_PER_DAY, UTC, WEEKDAYS, Rule, Schedule
from signage.schedule.spans import clip, contains, day_spans, merge, rule_spans

HORIZON = dt.timedelta(days=8)  # a weekly pattern plus a night that runs past midnight
MAX_TIMELINE = dt.timedelta(days=62)


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


def rank(rule: Rule, index: int) -> tuple:
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
    spans = [rule_spans(rule, zone, lo, hi) for rule in rules]
    starts = [[s for s, _ in rule_spans] for rule_spans in spans]
    order = sorted(range(len(rules)), key=lambda i: rank(rules[i], i))
    cuts = sorted({lo, hi} | {t for rule_spans in spans for span in rule_spans for t in span})
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        # Every span edge is a cut, so whoever is active at `start` is active until `end`.
        winner = next((i for i in order if contains(spans[i], starts[i], start)), None)
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
    spans = [clip(day_spans(w, zone, lo, hi), lo, hi) for w in schedule.power]
    starts = [[s for s, _ in window_spans] for window_spans in spans]
    out: list[PowerSegment] = []
    edges = [lo]
    for off_start, off_end in merge(span for window_spans in spans for span in window_spans):
        edges += [off_start, off_end]
    edges.append(hi)
    for start, end in zip(edges, edges[1:]):
        if start < end:
            window = next((i for i, s in enumerate(spans) if contains(s, starts[i], start)), None)
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
                      if any(s <= t < e for s, e in day_spans(w, zone, t, t + DAY)))
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
