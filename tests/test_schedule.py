"""The schedule: which playlist plays when, when the wall is off, and exactly when that
changes. Times below are wall times at the gate (Asia/Ho_Chi_Minh) unless a case says.

The week table tests/data/schedule_week.txt is regenerated with
    .venv/bin/python -m tests.test_schedule > tests/data/schedule_week.txt
(read the diff before committing it: it is what staff will see on the wall that week).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from signage.clock import FakeClock
from signage.content.documents import DocumentError, dump_json, load_model
from signage.schedule.findings import schedule_findings
from signage.schedule.resolver import (
    Segment,
    format_timeline,
    narrowness,
    power_state,
    power_timeline,
    resolve,
    timeline,
)
from signage.schedule.rules import Schedule
from tests.conftest import SAMPLES

GATE = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK_TABLE = Path(__file__).parent / "data" / "schedule_week.txt"
SAMPLE_WEEK = (dt.datetime(2027, 2, 1, tzinfo=GATE), dt.datetime(2027, 2, 8, tzinfo=GATE))


def at(text: str, zone: str = "Asia/Ho_Chi_Minh") -> dt.datetime:
    """'2027-02-05 22:00' (or with seconds) as wall time in `zone`."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def schedule(*rules: dict, **fields) -> Schedule:
    return Schedule.model_validate({"default": "welcome", "rules": list(rules), **fields})


def sample() -> Schedule:
    return load_model((SAMPLES / "schedule.yaml").read_bytes(), Schedule)


NIGHT = {"name": "night", "playlist": "night", "time": "22:00-06:00"}
FRIDAY_NIGHT = {**NIGHT, "weekdays": ["fri"]}
SATURDAY_NIGHT = {**NIGHT, "weekdays": ["sat"]}
TET = {"name": "tet", "playlist": "tet", "dates": {"from": "2027-02-04", "to": "2027-02-10"}}
MORNINGS = {"name": "mornings", "playlist": "opening-hours", "time": "06:30-08:00",
            "weekdays": ["mon", "tue", "wed", "thu", "fri"]}
NOON = {"name": "noon", "playlist": "notice", "cron": "0 12 * * *", "for": "30m"}

# 2027-02-05 is a Friday, 2027-02-06 (Tết) a Saturday.
RESOLVE_CASES = [
    # id, rules, now, (playlist, rule, next_change)
    ("nothing-scheduled-plays-the-default", [], "2027-02-05 12:00", ("welcome", None, None)),
    ("night-before-midnight", [NIGHT], "2027-02-05 23:00", ("night", "night", "2027-02-06 06:00")),
    ("night-after-midnight", [NIGHT], "2027-02-06 05:59:59",
     ("night", "night", "2027-02-06 06:00")),
    ("night-ends-at-six", [NIGHT], "2027-02-06 06:00",
     ("welcome", None, "2027-02-06 22:00")),
    ("friday-night-runs-into-saturday", [FRIDAY_NIGHT], "2027-02-06 03:00",
     ("night", "night", "2027-02-06 06:00")),
    ("saturday-early-hours-belong-to-friday", [SATURDAY_NIGHT], "2027-02-06 03:00",
     ("welcome", None, "2027-02-06 22:00")),
    ("friday-night-next-comes-a-week-later", [FRIDAY_NIGHT], "2027-02-07 03:00",
     ("welcome", None, "2027-02-12 22:00")),
    ("date-range-starts-at-midnight", [TET], "2027-02-03 23:00",
     ("welcome", None, "2027-02-04 00:00")),
    ("date-range-last-second", [TET], "2027-02-10 23:59:59", ("tet", "tet", "2027-02-11 00:00")),
    ("date-range-over-at-midnight", [TET], "2027-02-11 00:00", ("welcome", None, None)),
    ("last-night-of-a-date-range-runs-into-the-morning", [{**TET, "time": "22:00-06:00"}],
     "2027-02-11 05:00", ("tet", "tet", "2027-02-11 06:00")),
    ("morning-before-a-date-range-belongs-to-the-day-before", [{**TET, "time": "22:00-06:00"}],
     "2027-02-04 03:00", ("welcome", None, "2027-02-04 22:00")),
    ("weekday-mornings-skip-the-weekend", [MORNINGS], "2027-02-06 07:00",
     ("welcome", None, "2027-02-08 06:30")),
    ("weekday-morning", [MORNINGS], "2027-02-05 07:00",
     ("opening-hours", "mornings", "2027-02-05 08:00")),
    ("higher-priority-wins", [{**TET, "priority": 1}, {**NIGHT, "priority": 2}],
     "2027-02-06 23:00", ("night", "night", "2027-02-07 06:00")),
    ("higher-priority-wins-whatever-the-order", [{**NIGHT, "priority": 1}, {**TET, "priority": 2}],
     "2027-02-06 23:00", ("tet", "tet", "2027-02-11 00:00")),
    ("tie-the-shorter-window-wins", [TET, NIGHT], "2027-02-06 23:00",
     ("night", "night", "2027-02-07 06:00")),
    ("tie-fewer-days-win",
     [TET, {"name": "tet-day", "playlist": "fireworks",
            "dates": {"from": "2027-02-06", "to": "2027-02-06"}}],
     "2027-02-06 12:00", ("fireworks", "tet-day", "2027-02-07 00:00")),
    ("tie-fewer-weekdays-win",
     [{"name": "weekend", "playlist": "market", "weekdays": ["sat", "sun"]},
      {"name": "saturday", "playlist": "fair", "weekdays": ["sat"]}],
     "2027-02-06 12:00", ("fair", "saturday", "2027-02-07 00:00")),
    ("tie-same-shape-the-first-written-wins",
     [{**NIGHT, "name": "first"}, {**NIGHT, "name": "second", "playlist": "other"}],
     "2027-02-05 23:00", ("night", "first", "2027-02-06 06:00")),
    ("cron-occurrence-lasts-for", [NOON], "2027-02-05 12:10",
     ("notice", "noon", "2027-02-05 12:30")),
    ("cron-before-the-fire", [NOON], "2027-02-05 11:00", ("welcome", None, "2027-02-05 12:00")),
    ("cron-occurrence-over", [NOON], "2027-02-05 12:30", ("welcome", None, "2027-02-06 12:00")),
    ("cron-narrower-than-a-window", [{**TET, "priority": 5}, {**NOON, "priority": 5}],
     "2027-02-06 12:00", ("notice", "noon", "2027-02-06 12:30")),
    ("cron-only-inside-its-dates", [{**NOON, "dates": {"from": "2027-02-04", "to": "2027-02-05"}}],
     "2027-02-05 13:00", ("welcome", None, None)),
    ("cron-fires-only-inside-its-window",
     [{"name": "promo", "playlist": "promo", "cron": "*/15 * * * *", "for": "5m",
       "time": "08:00-09:00"}],
     "2027-02-05 08:50", ("welcome", None, "2027-02-06 08:00")),
    ("cron-occurrences-that-overlap-merge",
     [{"name": "promo", "playlist": "promo", "cron": "*/15 * * * *", "for": "20m",
       "time": "08:00-09:00"}],
     "2027-02-05 08:10", ("promo", "promo", "2027-02-05 09:05")),
]


@pytest.mark.parametrize("rules, now, expected", [c[1:] for c in RESOLVE_CASES],
                         ids=[c[0] for c in RESOLVE_CASES])
def test_resolve(rules, now, expected):
    playlist, rule, next_change = expected
    got = resolve(schedule(*rules), at(now))
    assert (got.playlist, got.rule) == (playlist, rule)
    assert got.next_change == (at(next_change) if next_change else None)


def test_since_is_when_the_current_stretch_began():
    got = resolve(schedule(NOON), at("2027-02-05 12:10"))
    assert got.since == at("2027-02-05 12:00")
    assert resolve(schedule(NIGHT), at("2027-02-06 03:00")).since == at("2027-02-05 22:00")
    assert resolve(schedule(), at("2027-02-06 03:00")).since is None  # unchanged for ever


def test_times_come_back_in_the_site_zone_whatever_zone_now_is():
    got = resolve(schedule(NIGHT), at("2027-02-05 16:00", "UTC"))  # 23:00 at the gate
    assert got.playlist == "night"
    assert got.next_change.tzinfo == GATE and got.next_change.hour == 6


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        resolve(schedule(), dt.datetime(2027, 2, 5, 12, 0))


@pytest.mark.parametrize("rule, now", [
    (TET, "2027-02-06 12:00"), (NOON, "2027-02-05 12:10"), (NIGHT, "2027-02-05 23:00"),
    (MORNINGS, "2027-02-05 07:00"),
], ids=["dates", "cron", "time", "weekdays"])
def test_untrusted_time_plays_only_the_default(rule, now):
    plan = schedule(rule)
    assert resolve(plan, at(now)).playlist != "welcome"  # it applies when the clock is believed
    got = resolve(plan, at(now), trusted=False)
    assert (got.playlist, got.rule, got.since, got.next_change) == ("welcome", None, None, None)


def test_the_player_wakes_at_each_change_and_sees_what_the_timeline_shows():
    """Drive a fake clock the way the player does: resolve, sleep until next_change."""
    plan = sample()
    clock = FakeClock(SAMPLE_WEEK[0])
    seen: list[Segment] = []
    while clock.now() < SAMPLE_WEEK[1]:
        now = clock.now()
        got = resolve(plan, now)
        end = min(got.next_change, SAMPLE_WEEK[1])
        seen.append(Segment(now, end, got.playlist, got.rule))
        clock.sleep((end - now).total_seconds())
    assert [(s.start, s.end, s.playlist, s.rule) for s in seen] == [
        (s.start, s.end, s.playlist, s.rule) for s in timeline(plan, *SAMPLE_WEEK)]


def test_the_sample_week_matches_the_checked_in_table():
    expected = [line for line in WEEK_TABLE.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#")]
    assert format_timeline(timeline(sample(), *SAMPLE_WEEK)).splitlines() == expected


def test_tet_day_in_the_sample():
    day = timeline(sample(), at("2027-02-06 00:00"), at("2027-02-07 00:00"))
    assert [(s.start.strftime("%H:%M"), s.playlist) for s in day] == [
        ("00:00", "night"), ("06:00", "tet"), ("22:00", "night")]


def test_untrusted_timeline_is_the_default_throughout():
    week = timeline(sample(), *SAMPLE_WEEK, trusted=False)
    assert [(s.start, s.end, s.playlist) for s in week] == [(*SAMPLE_WEEK, "welcome")]


def test_a_timeline_is_bounded():
    with pytest.raises(ValueError, match="at most"):
        timeline(sample(), SAMPLE_WEEK[0], SAMPLE_WEEK[0] + dt.timedelta(days=100))


# --- daylight saving time (not at the gate, but other operators have it) --------------------

BERLIN_MORNINGS = {"name": "mornings", "playlist": "opening-hours", "time": "08:00-09:00"}


@pytest.mark.parametrize("now, next_change", [
    ("2027-03-27 10:00", "2027-03-28 08:00"),  # clocks go forward overnight: 21 hours later
    ("2027-10-30 10:00", "2027-10-31 08:00"),  # clocks go back: 23 hours later
], ids=["spring-forward", "fall-back"])
def test_daily_windows_keep_wall_time_across_dst(now, next_change):
    plan = schedule(BERLIN_MORNINGS, timezone="Europe/Berlin")
    got = resolve(plan, at(now, "Europe/Berlin"))
    assert got.next_change == at(next_change, "Europe/Berlin")
    assert got.next_change.strftime("%H:%M") == "08:00"


def test_a_window_in_the_skipped_hour_plays_an_hour_later_that_night():
    """02:15 does not exist on 28 March in Berlin; it is read with the offset before the
    jump (as zoneinfo does), which is 03:15 summer time: the window still plays, once."""
    plan = schedule({"name": "x", "playlist": "x", "time": "02:15-02:45"}, timezone="Europe/Berlin")
    night = timeline(plan, at("2027-03-28 00:00", "Europe/Berlin"),
                     at("2027-03-29 00:00", "Europe/Berlin"))
    assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M"), s.playlist) for s in night] == [
        ("00:00", "03:15", "welcome"), ("03:15", "03:45", "x"), ("03:45", "00:00", "welcome")]


# --- power hours ------------------------------------------------------------------------------

POWER = [{"time": "01:00-05:00"}, {"dates": {"from": "2027-02-06", "to": "2027-02-06"}}]


@pytest.mark.parametrize("now, on, window, next_change", [
    ("2027-02-05 00:59", True, None, "2027-02-05 01:00"),
    ("2027-02-05 01:00", False, 0, "2027-02-05 05:00"),
    ("2027-02-05 12:00", True, None, "2027-02-06 00:00"),  # the off day begins at midnight
    ("2027-02-06 12:00", False, 1, "2027-02-07 00:00"),    # the off day ends at midnight
    ("2027-02-07 03:00", False, 0, "2027-02-07 05:00"),
], ids=["just-before", "off-at-one", "whole-day-next", "off-all-day", "night-after-off-day"])
def test_power_windows(now, on, window, next_change):
    got = power_state(schedule(power=POWER), at(now))
    assert (got.on, got.window, got.next_change) == (on, window, at(next_change))


def test_no_power_windows_means_always_on():
    got = power_state(schedule(), at("2027-02-05 03:00"))
    assert (got.on, got.window, got.since, got.next_change) == (True, None, None, None)


def test_power_windows_are_ignored_while_time_is_untrusted():
    got = power_state(schedule(power=POWER), at("2027-02-05 03:00"), trusted=False)
    assert (got.on, got.next_change) == (True, None)


def test_power_timeline_of_the_sample_night():
    night = power_timeline(sample(), at("2027-02-05 12:00"), at("2027-02-06 12:00"))
    assert [(s.start.strftime("%H:%M"), s.on) for s in night] == [
        ("12:00", True), ("01:00", False), ("05:00", True)]


# --- the document and its validation -----------------------------------------------------------


def problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DocumentError) as caught:
        load_model(text, Schedule)
    return [(p.line, p.path, p.reason) for p in caught.value.problems]


RULE_HEAD = "default: welcome\nrules:\n  - name: r\n    playlist: p\n"


@pytest.mark.parametrize("extra, line, path, words", [
    ('    time: "25:00-26:00"\n', 5, "rules[0].time", "hours go 00-23"),
    ('    time: "6:30 to 8"\n', 5, "rules[0].time", "HH:MM-HH:MM"),
    ('    time: "06:00-06:00"\n', 5, "rules[0].time", "leave `time` out"),
    ("    dates: {from: 2027-02-10, to: 2027-02-04}\n", 5, "rules[0].dates.to", "before it starts"),
    ('    dates: {from: 2027-02-10, to: "2027-02-31"}\n', 5, "rules[0].dates.to", "not a date"),
    ("    dates:\n      from: 2027-02-10\n", 5, "rules[0].dates.to", "is required"),
    ('    for: 5m\n    cron: "61 * * * *"\n', 6, "rules[0].cron", "bad minute; write minute (0-59)"),
    ('    cron: "0 12 * *"\n    for: 5m\n', 5, "rules[0].cron", "has 4 fields; write five"),
    ('    cron: "0 12 30 2 *"\n    for: 5m\n', 5, "rules[0].cron", "bad day-of-month"),
    ('    cron: "0 12 * * *"\n', 3, "rules[0]", "needs `for`"),
    ('    time: "06:00-07:00"\n    for: 5m\n', 3, "rules[0]", "`for` goes with `cron`"),
    ("    priority: 1\n", 3, "rules[0]", "at least one of"),
    ("    weekdays: [mon, funday]\n", 5, "rules[0].weekdays[1]", "not a weekday"),
    ("    weekdays: [mon, mon]\n", 5, "rules[0].weekdays", "listed twice"),
    ("    weekdays: [mon]\n    priorty: 2\n", 6, "rules[0].priorty", "not a known field"),
], ids=["hour-25", "not-a-window", "empty-window", "backwards-dates", "31-february", "no-end",
        "cron-minute-61", "cron-four-fields", "cron-30-february", "cron-without-for",
        "for-without-cron", "no-condition", "unknown-weekday", "weekday-twice", "typo"])
def test_field_problems_name_the_field_and_line(extra, line, path, words):
    (got_line, got_path, reason), = problems(RULE_HEAD + extra)
    assert (got_line, got_path) == (line, path), reason
    assert words in reason


def test_a_schedule_needs_a_default():
    assert problems("rules: []\n") == [(1, "default", "is required")]


def test_rule_names_must_differ():
    text = RULE_HEAD + "    weekdays: [mon]\n  - name: r\n    playlist: q\n    weekdays: [tue]\n"
    (_line, path, reason), = problems(text)
    assert path == "rules" and "r is used twice" in reason


def test_the_document_reads_back_from_its_stored_form():
    plan = sample()
    assert load_model(dump_json(plan), Schedule) == plan
    assert '"for":"15m"' in dump_json(plan) and '"time":"22:00-06:00"' in dump_json(plan)


def test_defaults_are_the_gate():
    plan = schedule()
    assert (plan.name, plan.timezone, plan.site.latitude, plan.site.longitude) == (
        "default", "Asia/Ho_Chi_Minh", 22.9, 104.85)


def test_narrowness_orders_by_occurrence_then_days_then_weekdays():
    rules = schedule(NOON, NIGHT, MORNINGS, TET, {**TET, "name": "tet-weekends",
                                                 "weekdays": ["sat", "sun"]}).rules
    assert [narrowness(r) for r in rules] == [
        (1800, float("inf"), 7), (8 * 3600, float("inf"), 7), (90 * 60, float("inf"), 5),
        (86400, 7, 7), (86400, 2, 2)]


# --- findings: what `signage validate` warns about --------------------------------------------


def test_equal_priority_rules_that_overlap_are_named_with_an_instant():
    plan = schedule({"name": "day", "playlist": "a", "time": "06:00-12:00"},
                    {"name": "morning", "playlist": "b", "time": "07:00-08:00"})
    (path, reason, severity), = schedule_findings(plan)
    assert (path, severity) == (("rules", 1), "warning")
    assert "'day'" in reason and "2027-01-04 Mon 07:00" in reason and "'morning' plays" in reason


def test_an_overlap_across_midnight_is_found():
    plan = schedule(FRIDAY_NIGHT, {"name": "dawn", "playlist": "a", "weekdays": ["sat"],
                                   "time": "05:00-07:00"})
    (_path, reason, _severity), = schedule_findings(plan)
    assert "Sat 05:00" in reason


def test_an_overlap_with_a_cron_rule_is_found_inside_the_dates():
    plan = schedule(TET, {**NOON, "weekdays": ["sun"]})
    (_path, reason, _severity), = schedule_findings(plan)
    assert "2027-02-07 Sun 12:00" in reason and "'noon' plays" in reason


@pytest.mark.parametrize("rules", [
    [{**NIGHT, "weekdays": ["mon"]}, {**MORNINGS, "weekdays": ["tue"], "time": "07:00-21:00"}],
    [TET, {**TET, "name": "later", "dates": {"from": "2027-03-01", "to": "2027-03-02"}}],
    [{**NIGHT, "priority": 1}, NIGHT | {"name": "other"}],
    [{**NOON, "dates": {"from": "2027-02-04", "to": "2027-02-05"}},
     {**TET, "dates": {"from": "2027-02-06", "to": "2027-02-07"}}],
], ids=["different-days", "disjoint-dates", "different-priorities", "cron-outside-the-dates"])
def test_rules_that_cannot_overlap_at_one_priority_are_not_warned_about(rules):
    assert schedule_findings(schedule(*rules)) == []


def test_unknown_playlists_are_errors_when_the_playlists_are_known():
    plan = schedule(NIGHT, {**TET, "priority": 1})
    findings = schedule_findings(plan, known_playlists={"welcome", "night"})
    assert [(f.path, f.severity) for f in findings] == [(("rules", 1, "playlist"), "error")]
    assert "'tet'" in findings[0].reason and "night, welcome" in findings[0].reason
    assert schedule_findings(schedule(), known_playlists=set())[0].path == ("default",)


def test_a_rule_whose_dates_miss_its_weekdays_never_applies():
    plan = schedule({**TET, "dates": {"from": "2027-02-06", "to": "2027-02-07"},
                     "weekdays": ["mon"]})
    (path, reason, severity), = schedule_findings(plan)
    assert (path, severity) == (("rules", 0, "weekdays"), "warning") and "never applies" in reason


def test_the_sample_schedule_has_no_findings_and_names_only_sample_playlists():
    names = {p.stem for p in SAMPLES.glob("*.yaml")} - {"schedule"}
    plan = sample()
    assert plan.playlists() <= names
    assert schedule_findings(plan, known_playlists=names) == []


if __name__ == "__main__":  # regenerate the week table (see the module docstring)
    sys.stdout.write(
        "# The sample schedule (playlists/schedule.yaml), Mon 2027-02-01 to Mon 2027-02-08, in\n"
        "# Asia/Ho_Chi_Minh: start, end, playlist, rule. Regenerate with\n"
        "#   .venv/bin/python -m tests.test_schedule > tests/data/schedule_week.txt\n"
    )
    sys.stdout.write(format_timeline(timeline(sample(), *SAMPLE_WEEK)))
