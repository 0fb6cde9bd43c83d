"""Cron rules fire when cron would fire them (crontab(5), as Debian's cron reads it).

The reference here is a deliberately plain reading of crontab(5), minute by minute: a field is
`*`, or a list of numbers, names, ranges and steps; weekday 0 and 7 are Sunday; and when both
the day of the month and the weekday are restricted (neither starts with `*`), a day that
matches either one fires. The schedule's own cron_spans must agree with it for every case.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from signage.content.documents import DocumentError, load_model
from signage.schedule.rules import Schedule
from signage.schedule.spans import cron_spans

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
         "sep": 9, "oct": 10, "nov": 11, "dec": 12,
         "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


def field_values(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (NAMES.get(x) if x in NAMES else int(x) for x in span.split("-"))
        else:
            first = NAMES.get(span) if span in NAMES else int(span)
            last = high if step else first
        values.update(range(first, last + 1, int(step) if step else 1))
    return values


def reference_fires(expression: str, start: dt.datetime, minutes: int) -> list[dt.datetime]:
    minute, hour, dom, month, dow = expression.split()
    minutes_ok, hours_ok = field_values(minute, 0, 59), field_values(hour, 0, 23)
    doms, months = field_values(dom, 1, 31), field_values(month, 1, 12)
    dows = {d % 7 for d in field_values(dow, 0, 7)}
    either = not dom.startswith("*") and not dow.startswith("*")
    fires = []
    for n in range(minutes):
        t = start + dt.timedelta(minutes=n)
        day_ok = ((t.day in doms) or (t.isoweekday() % 7 in dows)) if either else (
            t.day in doms and t.isoweekday() % 7 in dows)
        if t.minute in minutes_ok and t.hour in hours_ok and t.month in months and day_ok:
            fires.append(t.astimezone(dt.timezone.utc))
    return fires


def rule(expression: str):
    text = (f"default: welcome\nrules:\n  - name: r\n    playlist: p\n"
            f"    cron: \"{expression}\"\n    for: 1m\n")
    return load_model(text, Schedule).rules[0]


CASES = {
    # both the day of the month and the weekday restricted: either one (488 of 2,920 cases
    # disagreed when they had to hold together)
    "first-or-monday": "0 12 1 * mon",
    "15th-or-weekend": "30 8 15 * sat,sun",
    "13th-or-friday": "0 0 13 * 5",
    "dom-range-or-dow-range": "0 6 1-7 * mon-wed",
    # weekday ranges through Sunday, numbers as cron counts them (0 and 7 are Sunday)
    "sun-tue": "0 9 * * sun-tue",
    "sunday-as-0": "0 9 * * 0",
    "sunday-as-7": "0 9 * * 7",
    "sat-to-sunday-7": "45 21 * * 6-7",
    # steps, larger than their range too
    "step-larger-than-range": "0 9 2-3/2 * *",
    "step-on-a-range": "5-59/20 * * * *",
    "every-7-minutes": "*/7 10 * * *",
    "hours-list-and-step": "0 8,12,16-22/3 * * *",
    # only one of the day fields restricted: the other is ignored as usual
    "weekdays-only": "0 7 * * mon-fri",
    "dom-only": "0 7 1,15 * *",
    "month-name": "0 0 * dec *",
    "month-range": "0 0 * jan-nov *",
}


@pytest.mark.parametrize("expression", CASES.values(), ids=CASES.keys())
def test_fires_where_cron_fires(expression):
    start = dt.datetime(2026, 11, 28, 0, 0, tzinfo=ZONE)  # a Saturday, across a month end
    minutes = 16 * 24 * 60
    lo, hi = start.astimezone(dt.timezone.utc), (start + dt.timedelta(minutes=minutes)).astimezone(
        dt.timezone.utc)
    fires = [begin for begin, _end in cron_spans(rule(expression), ZONE, lo, hi)]
    assert fires == reference_fires(expression, start, minutes)


def test_the_reference_itself_tells_or_from_and():
    """Guard the guard: the two readings differ on this case, so the test can fail."""
    start = dt.datetime(2026, 12, 1, 0, 0, tzinfo=ZONE)  # Tuesday the 1st
    either = reference_fires("0 12 1 * mon", start, 7 * 24 * 60)
    assert [f.astimezone(ZONE).day for f in either] == [1, 7]  # the 1st, and Monday the 7th


@pytest.mark.parametrize("expression, words", [
    ("0 9 * * fri-mon", "bad day-of-week"),
    ("0 12 * *", "has 4 fields"),
    ("0 0 30 2 *", "bad day-of-month"),
], ids=["backwards-range", "four-fields", "30-february"])
def test_what_cron_refuses_is_refused_by_name(expression, words):
    with pytest.raises(DocumentError) as refused:
        rule(expression)
    [problem] = refused.value.problems
    assert problem.path == "rules[0].cron" and words in problem.reason
