"""Findings about a schedule beyond one field: playlists that do not exist, rules that
can never apply, equal-priority rules that can overlap. Pure, no I/O.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

from signage.schedule.resolver import HORIZON, rank
from signage.schedule.rules import DAY, ChosenDays, Rule, Schedule
from signage.schedule.spans import Span, instant, rule_spans

# Rules without dates repeat every week, so any week shows whether two of them overlap;
# this Monday is the week validation looks at (cron rules: the OVERLAP_SCAN after it).
REFERENCE_MONDAY = dt.date(2027, 1, 4)
OVERLAP_SCAN = dt.timedelta(days=62)


class Finding(NamedTuple):
    """A problem beyond one field: where (a path into the document), why, how bad."""

    path: tuple
    reason: str
    severity: Literal["error", "warning"]
    params: dict = {}  # `mistake` (never_applies, unknown_playlist, overlap) and its facts


def schedule_findings(schedule: Schedule, known_playlists: set[str] | None = None) -> list[Finding]:
    """Unknown playlists (errors, when `known_playlists` is given), rules that can never
    apply and equal-priority rules that can overlap (warnings).

    There are no gap warnings: `default` is required, so something always plays."""
    findings = []
    if known_playlists is not None:
        findings += _unknown_playlists(schedule, known_playlists)
    for index, rule in enumerate(schedule.rules):
        if rule.matching_days() == 0:
            findings.append(Finding(("rules", index, "weekdays"), _no_days(rule), "warning",
                                    _no_days_params(rule)))
    for index, window in enumerate(schedule.power):
        if window.matching_days() == 0:
            findings.append(Finding(("power", index, "weekdays"), _no_days(window), "warning",
                                    _no_days_params(window)))
    findings += _overlaps(schedule)
    return findings


def _no_days(when: ChosenDays) -> str:
    return (f"none of the days {when.dates.first} to {when.dates.last} is a "
            f"{', '.join(when.weekdays)}, so this never applies; fix the weekdays or the dates")


def _no_days_params(when: ChosenDays) -> dict:
    return {"mistake": "never_applies", "first": str(when.dates.first),
            "last": str(when.dates.last), "weekdays": ", ".join(when.weekdays)}


def _unknown_playlists(schedule: Schedule, known: set[str]) -> list[Finding]:
    hint = ", ".join(sorted(known)) or "none yet"
    named = [(("default",), schedule.default)]
    named += [(("rules", i, "playlist"), rule.playlist) for i, rule in enumerate(schedule.rules)]
    return [Finding(path, f"there is no playlist named {name!r}; add it first or fix the name "
                          f"(known: {hint})", "error",
                    {"mistake": "unknown_playlist", "name": name, "known": hint})
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
            winner = earlier if rank(earlier, i) < rank(later, j) else later
            findings.append(Finding(
                ("rules", j),
                f"can overlap rule {earlier.name!r} at the same priority {later.priority}, e.g. "
                f"at {when:%Y-%m-%d %a %H:%M}, where {winner.name!r} plays (the narrower, or the "
                "first written); give one a higher priority to make the choice explicit",
                "warning",
                {"mistake": "overlap", "rule": earlier.name, "priority": later.priority,
                 "when": f"{when:%Y-%m-%d %H:%M}", "winner": winner.name},
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
        lo, hi = instant(day, 0, zone), instant(min(day + HORIZON, last + DAY), 0, zone)
        hit = _first_common(rule_spans(a, zone, lo, hi), rule_spans(b, zone, lo, hi))
        if hit is not None:
            return hit.astimezone(zone)
        day += HORIZON
    return None


def _first_common(left: list[Span], right: list[Span]) -> dt.datetime | None:
    starts = [max(a[0], b[0]) for a in left for b in right if max(a[0], b[0]) < min(a[1], b[1])]
    return min(starts, default=None)
