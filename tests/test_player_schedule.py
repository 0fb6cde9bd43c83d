"""The player follows the schedule, emergency notices, power hours, brightness and the
clock's trustworthiness — on an emulated panel, driven by a fake clock (no test sleeps)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pygame
import pytest

from signage.clock import FakeClock
from signage.content.documents import load_model
from signage.content.models import Message, Playlist
from signage.player.status import status_document
from signage.schedule.rules import Schedule
from signage.store import Store
from tests.conftest import emulated_panel, player_on

SIZE = (384, 192)
GATE = ZoneInfo("Asia/Ho_Chi_Minh")
EVENING = dt.datetime(2027, 3, 10, 21, 59, 50, tzinfo=GATE)  # a Wednesday, not Tết

SCHEDULE = """
default: day
rules:
  - {name: evening, playlist: evening, time: "22:00-23:00", priority: 10}
  - {name: campaign, playlist: campaign, dates: {from: 2027-03-01, to: 2027-03-31}, priority: 5}
power:
  - time: "01:00-05:00"
brightness: {mode: sun, day: 100, night: 20}
"""


@pytest.fixture
def clock():
    return FakeClock(EVENING.astimezone(dt.timezone.utc))


@pytest.fixture
def store(settings, clock):
    store = Store(settings.data_dir, clock)
    for name, vi in (("day", "Ban ngày"), ("evening", "Buổi tối"), ("campaign", "Chiến dịch")):
        store.content.publish_playlist(Playlist.model_validate({"name": name, "items": [
            {"kind": "message", "text": {"vi": vi, "en": name, "zh": "中文"}}]}), "test", activate=False)
    store.content.publish_schedule(load_model(SCHEDULE, Schedule), "test")
    yield store
    store.close()


@pytest.fixture
def api(settings, clock, store):
    """A second connection, as the API process has: the player notices its commits."""
    api = Store(settings.data_dir, clock)
    yield api
    api.close()


@pytest.fixture
def panel():
    return emulated_panel(SIZE)


@pytest.fixture
def player(settings, store, clock, panel, fonts):
    return player_on(settings, store, clock, panel, fonts)


def run(player, clock, seconds, fps=20):
    for _ in range(max(1, round(seconds * fps))):
        player.step()
        clock.advance(1 / fps)


def status(player, clock):
    return status_document(player, clock.monotonic())


def notice(store, clock, minutes=30, priority=100):
    text = Message(vi="Cửa khẩu tạm đóng do sạt lở", en="Gate closed: landslide", zh="口岸暂时关闭")
    return store.desired.add_emergency(text, clock.now() + dt.timedelta(minutes=minutes), "duty", priority)


def test_the_schedule_changes_the_playlist_exactly_when_a_window_opens(player, clock):
    run(player, clock, 1)
    assert status(player, clock)["playlist"] == "campaign"  # March: the campaign's dates
    assert status(player, clock)["schedule"]["next_change"].startswith("2027-03-10T22:00:00")
    run(player, clock, 9.5)  # 22:00:00.5
    doc = status(player, clock)
    assert (doc["playlist"], doc["schedule"]["rule"]) == ("evening", "evening")


def test_an_emergency_takes_the_panel_within_a_second_and_gives_it_back(player, api, clock, panel):
    run(player, clock, 1)
    before = pygame.image.tobytes(panel.last_frame(), "RGB")
    emergency = notice(api, clock, minutes=2)
    run(player, clock, 1)
    doc = status(player, clock)
    assert (doc["state"], doc["playlist"], doc["emergency"]["id"]) == ("emergency", "emergency",
                                                                        emergency.id)
    assert pygame.image.tobytes(panel.last_frame(), "RGB") != before
    run(player, clock, 121)  # past the expiry
    doc = status(player, clock)
    assert (doc["state"], doc["emergency"]) == ("playing", None)
    assert doc["playlist"] == "evening"


def test_power_hours_blank_the_panel_and_say_scheduled_off(player, clock, panel):
    clock.set_wall(dt.datetime(2027, 3, 11, 0, 59, 59, tzinfo=GATE))
    run(player, clock, 2)
    doc = status(player, clock)
    assert doc["state"] == "scheduled off" and doc["power"] == {"on": False, "reason": "scheduled off"}
    assert panel.power is False
    assert pygame.image.tobytes(panel.last_frame(), "RGB") == bytes(SIZE[0] * SIZE[1] * 3)


def test_an_emergency_lights_a_wall_that_is_scheduled_off(player, api, clock, panel):
    clock.set_wall(dt.datetime(2027, 3, 11, 2, 0, tzinfo=GATE))
    run(player, clock, 1)
    assert panel.power is False
    notice(api, clock)
    run(player, clock, 1)
    assert panel.power is True and status(player, clock)["state"] == "emergency"


def test_brightness_follows_the_sun_and_a_technician_override_wins_until_it_expires(
        player, api, clock, panel):
    run(player, clock, 1)
    assert panel.brightness == 20 and status(player, clock)["brightness"]["source"] == "sun"
    api.desired.set_override("brightness", 70, "technician", clock.now() + dt.timedelta(minutes=10))
    run(player, clock, 1)
    assert panel.brightness == 70
    assert status(player, clock)["brightness"] == {"desired": 70, "source": "override", "applied": 70}
    run(player, clock, 600)
    assert panel.brightness == 20


def test_a_clock_set_back_is_untrusted_plays_the_default_and_recovers(player, store, clock):
    store.desired.record_seen_time(clock.now())  # as the box's earlier runs saved it
    run(player, clock, 1)
    assert status(player, clock)["playlist"] == "campaign"
    clock.set_wall(dt.datetime(2027, 1, 1, 12, 0, tzinfo=GATE))  # two months back
    run(player, clock, 1)
    doc = status(player, clock)
    assert doc["time"]["trusted"] is False and "set back" in doc["time"]["reason"]
    assert (doc["playlist"], doc["schedule"]["rule"]) == ("day", None)
    clock.set_wall(dt.datetime(2027, 3, 10, 22, 30, tzinfo=GATE))  # NTP puts it right
    run(player, clock, 1)
    doc = status(player, clock)
    assert doc["time"]["trusted"] is True and doc["playlist"] == "evening"


def test_a_scheduled_playlist_that_is_not_published_falls_back_to_the_default(
        settings, clock, panel, fonts):
    store = Store(settings.data_dir, clock)
    store.content.publish_playlist(Playlist.model_validate({"name": "day", "items": [
        {"kind": "message", "text": {"vi": "Ngày", "en": "Day", "zh": "日"}}]}), "t", activate=False)
    store.content.publish_schedule(load_model("default: day\nrules:\n  - {name: e, playlist: ghost, "
                                      "time: '21:00-23:00'}\n", Schedule), "t")
    player = player_on(settings, store, clock, panel, fonts)
    run(player, clock, 1)
    doc = status(player, clock)
    assert doc["playlist"] == "day"
    assert any("'ghost' is scheduled but not published" in e["message"] for e in doc["errors"])


def test_the_newest_time_seen_is_saved_while_the_wall_plays(player, api, clock):
    # What a restart with a clock set back is judged against.
    assert api.desired.newest_seen_time() is None  # not the times stamped on content
    started = clock.now()
    api.desired.record_seen_time(started)  # as the box's earlier runs saved it
    run(player, clock, 61, fps=4)
    saved = api.desired.newest_seen_time()
    assert saved > started + dt.timedelta(seconds=59)
    assert saved <= clock.now()


# --- what the status document says about time (issue 14, local time) ----------------------


def test_next_change_is_the_next_planned_change_not_the_next_recheck(player, clock):
    run(player, clock, 1)
    clock.set_wall(dt.datetime(2027, 3, 11, 18, 0, tzinfo=GATE))  # the next dusk: brightness ramps
    run(player, clock, 1)
    schedule = status(player, clock)["schedule"]
    assert schedule["next_change"] == "2027-03-11T22:00:00+07:00"  # the evening rule opens
    assert dt.datetime.fromisoformat(schedule["next_check"]) < dt.datetime(2027, 3, 11, 22, tzinfo=GATE)


def test_next_change_is_when_an_emergency_ends(player, api, clock):
    run(player, clock, 1)  # 21:59:51: the evening rule's 22:00 is hidden by the notice
    emergency = notice(api, clock, minutes=5)
    run(player, clock, 1)
    next_change = status(player, clock)["schedule"]["next_change"]
    assert dt.datetime.fromisoformat(next_change) == emergency.expires_at


def test_remaining_s_of_a_two_hour_emergency_counts_to_its_expiry(player, api, clock):
    run(player, clock, 1)
    notice(api, clock, minutes=120)
    run(player, clock, 1)
    doc = status(player, clock)
    assert 7190 <= doc["item"]["remaining_s"] <= 7200  # not the 24 h item it is drawn as (86398)
    assert doc["zones"][0]["remaining_s"] == doc["item"]["remaining_s"]


def test_each_emergency_notice_is_its_own_line_in_the_summary(player, api, clock, store):
    run(player, clock, 1)
    first = notice(api, clock, minutes=1)
    run(player, clock, 61)
    second = notice(api, clock, minutes=1)
    run(player, clock, 61)
    player.proof.flush(player.write_store, clock.monotonic())
    month = dt.datetime(2027, 3, 1, tzinfo=GATE), dt.datetime(2027, 4, 1, tzinfo=GATE)
    rows = [row for row in store.records.play_summary(*month) if row["playlist"] == "emergency"]
    assert [(row["emergency"], row["plays"]) for row in rows] == [(first.id, 1), (second.id, 1)]
    assert all(55 <= row["seconds"] <= 61 for row in rows)
