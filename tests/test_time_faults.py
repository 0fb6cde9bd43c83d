"""A clock once wrong must not poison trust: the +10-year clock, content stamped by it,
and proof of play timed while the clock was doubtful. FakeClock only; no sleeps."""

from __future__ import annotations

import datetime as dt

from signage.content.models import Playlist
from signage.store import Store
from signage.store.records import Play
from tests.test_player_schedule import (api, clock, panel, player, run, status,  # noqa: F401
                                        store)

TEN_YEARS = dt.timedelta(days=3653)


def test_an_approval_made_while_the_clock_read_ten_years_ahead_raises_no_mark(store, clock):
    store.desired.record_seen_time(clock.now())
    real = clock.now()
    clock.set_wall(real + TEN_YEARS)
    store.content.publish_playlist(Playlist.model_validate({"name": "day", "items": [
        {"kind": "message", "text": {"vi": "Mới", "en": "New", "zh": "新"}}]}), "approver")
    assert store.desired.newest_seen_time() == real


def test_after_a_ten_year_clock_is_corrected_the_wall_is_on_its_schedule_within_a_minute(
        player, store, api, clock):
    store.desired.record_seen_time(clock.now())  # as the box's earlier runs saved it
    run(player, clock, 1)
    assert status(player, clock)["playlist"] == "campaign"
    real = clock.now()
    clock.set_wall(real + TEN_YEARS + dt.timedelta(hours=12))  # a bad time server: 10:00
    api.content.publish_playlist(Playlist.model_validate({"name": "day", "items": [
        {"kind": "message", "text": {"vi": "Ngày", "en": "Day", "zh": "日"}}]}), "approver",
        activate=False)
    run(player, clock, 1800, fps=1)  # half an hour believed (it is not set back)
    assert status(player, clock)["playlist"] == "day"  # 2037, morning: no rule applies

    clock.set_wall(real + dt.timedelta(seconds=1801))  # NTP puts it right
    run(player, clock, 60, fps=2)
    doc = status(player, clock)
    assert doc["time"]["trusted"] is True, doc["time"]
    assert doc["playlist"] == "evening"  # 22:30 on the right day
    assert api.desired.newest_seen_time() <= clock.now()


def play_at(started: dt.datetime, label: str, trusted: bool = True) -> Play:
    return Play(started, started + dt.timedelta(minutes=1), "main", "day", 0, "message", label,
                1, None, clock_trusted=trusted)


def labels(store) -> list[str]:
    return [row["label"] for row in store.database.query("SELECT label FROM plays ORDER BY id")]


def test_plays_timed_by_a_doubtful_clock_are_kept_until_a_later_trusted_play_ages_out(store, clock):
    now, year = clock.now(), dt.timedelta(days=365)
    store.records.record_plays([
        play_at(now - 3 * year, "old trusted"),
        play_at(now - 20 * year, "untrusted, recorded early", trusted=False),
        play_at(now - 2 * year, "older than the cut, trusted"),
        play_at(now - 30 * year, "untrusted, recorded recently", trusted=False),
        play_at(now - dt.timedelta(days=3), "recent"),
    ])
    store.records.prune_plays(now - dt.timedelta(days=400))
    assert labels(store) == ["untrusted, recorded recently", "recent"]


def test_pruning_never_deletes_the_newest_play(store, clock):
    now = clock.now()
    store.records.record_plays([play_at(now - dt.timedelta(days=900), "a"),
                                play_at(now - dt.timedelta(days=800), "the last one shown")])
    store.records.prune_plays(now - dt.timedelta(days=400))
    assert labels(store) == ["the last one shown"]
