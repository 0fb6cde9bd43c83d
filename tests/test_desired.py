"""What the wall should do: content, power, brightness, from desired state and the time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from signage.content.documents import load_model
from signage.schedule.desired import Wanted, decide
from signage.content.models import Message
from signage.schedule.rules import Schedule
from signage.schedule.state import Emergency, Override
from signage.schedule.trusted_time import Verdict
from tests.conftest import SAMPLES

GATE = ZoneInfo("Asia/Ho_Chi_Minh")
TRUSTED = Verdict(True, "ok")
UNTRUSTED = Verdict(False, "the clock reads earlier than a time already seen")
SET_BY = "technician"


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return load_model((SAMPLES / "schedule.yaml").read_text(encoding="utf-8"), Schedule)


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, minute, tzinfo=GATE)


def wanted(schedule=None, emergencies=(), **overrides) -> Wanted:
    stored = {kind: Override(kind, value, until, SET_BY, at(1, 0))
              for kind, (value, until) in overrides.items()}
    return Wanted(schedule, 3 if schedule else None, "welcome", list(emergencies), stored)


def notice(start: dt.datetime, end: dt.datetime, priority=100, id=1) -> Emergency:
    text = Message(vi="Cửa khẩu tạm đóng", en="Gate closed", zh="口岸暂时关闭")
    return Emergency(id, text, priority, start, end, "duty officer", start, None, None)


def test_without_a_schedule_the_active_playlist_plays_lit_and_brightness_is_left_alone():
    decision = decide(wanted(), at(3, 10), TRUSTED)
    assert (decision.playlist, decision.power_on, decision.brightness) == ("welcome", True, None)


def test_the_schedule_picks_the_playlist_and_says_when_that_changes(schedule):
    decision = decide(wanted(schedule), at(10, 21, 30, month=3), TRUSTED)
    assert (decision.playlist, decision.rule) == ("welcome", None)
    assert decision.next_check <= at(10, 22, month=3)
    night = decide(wanted(schedule), at(10, 23, month=3), TRUSTED)
    assert (night.playlist, night.rule) == ("night", "night")


def test_power_hours_blank_the_wall_and_say_it_is_scheduled(schedule):
    decision = decide(wanted(schedule), at(10, 2, month=3), TRUSTED)
    assert (decision.power_on, decision.power_reason) == (False, "scheduled off")
    assert decision.next_check <= at(10, 5, month=3)


def test_brightness_follows_the_sun(schedule):
    noon = decide(wanted(schedule), at(10, 12, 5, month=3), TRUSTED)
    midnight = decide(wanted(schedule), at(10, 0, month=3), TRUSTED)
    assert (noon.brightness, noon.brightness_source) == (100, "sun")
    assert midnight.brightness == 25


def test_an_emergency_takes_over_until_it_expires_and_lights_a_sleeping_wall(schedule):
    start, end = at(10, 1, month=3), at(10, 3, month=3)
    low, high = notice(start, end, 50, id=1), notice(start, end, 90, id=2)
    decision = decide(wanted(schedule, [high, low]), at(10, 2, month=3), TRUSTED)
    assert decision.emergency.id == 2 and decision.power_on
    assert decision.next_check <= end
    after = decide(wanted(schedule, [high, low]), end, TRUSTED)
    assert after.emergency is None and not after.power_on


def test_a_notice_that_starts_later_wakes_the_player_then(schedule):
    later = notice(at(10, 15, month=3), at(10, 16, month=3))
    decision = decide(wanted(schedule, [later]), at(10, 14, 59, month=3), TRUSTED)
    assert decision.emergency is None and decision.next_check <= at(10, 15, month=3)


def test_untrusted_time_plays_the_default_lit_and_holds_brightness(schedule):
    tet_night = at(6, 2)  # Tết, power-off hours, night rule: all date- or time-bound
    decision = decide(wanted(schedule), tet_night, UNTRUSTED, held_brightness=60)
    assert (decision.playlist, decision.rule, decision.power_on) == ("welcome", None, True)
    assert (decision.brightness, decision.brightness_source) == (60, "held")
    trusted = decide(wanted(schedule), tet_night, TRUSTED)
    assert trusted.playlist == "night" and not trusted.power_on


def test_technician_overrides_win_until_they_expire(schedule):
    until = at(10, 13, month=3)
    decision = decide(wanted(schedule, brightness=(40, until), power=(False, None),
                             test_pattern=("red", until)), at(10, 12, month=3), TRUSTED)
    assert (decision.brightness, decision.brightness_source) == (40, "override")
    assert (decision.power_on, decision.power_reason) == (False, "technician")
    assert decision.test_pattern == "red" and decision.next_check <= until
