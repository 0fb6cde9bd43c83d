"""Approved is not on screen: approvers and listings are told whether the wall shows a
playlist now and when the schedule will; and an approver can play one now, until a time."""

from __future__ import annotations

import datetime as dt

import pytest

from signage.schedule.desired import PLAY_NOW_RULE, Wanted, decide
from signage.schedule.outlook import outlook, timeline_ahead
from signage.schedule.state import PlayNow
from signage.schedule.trusted_time import Verdict
from tests.test_api import (JSON, START, WELCOME_YAML, YAML, approver, auth, bearer, client,  # noqa: F401
                            clock, publish, settings, store, write_status)
from tests.test_schedule import NIGHT, at, schedule

PUBLISHED = {"welcome", "night", "gate"}


@pytest.mark.parametrize("name, now, expected", [
    ("night", "2027-02-05 10:00", ("2027-02-05 22:00", "night")),
    ("night", "2027-02-05 23:00", ("2027-02-05 23:00", "night")),
    ("welcome", "2027-02-05 10:00", ("2027-02-05 10:00", None)),
    ("welcome", "2027-02-05 23:00", ("2027-02-06 06:00", None)),
    ("gate", "2027-02-05 10:00", (None, None)),
], ids=["rule-later-today", "rule-now", "default-now", "default-after-the-night",
        "not-in-the-schedule"])
@pytest.mark.parametrize("shared_plan", [False, True], ids=["own-plan", "listing's-plan"])
def test_the_outlook_follows_the_schedule(name, now, expected, shared_plan):
    # A listing works the plan out once for every playlist; the answers are the same.
    plan = timeline_ahead(schedule(NIGHT), at(now)) if shared_plan else None
    found = outlook(name, at(now), schedule=schedule(NIGHT), active="welcome", published=PUBLISHED,
                    plan=plan)
    when, rule = expected
    assert (found.next_play, found.rule) == ((at(when) if when else None), rule)


def test_a_rule_whose_playlist_is_unpublished_shows_the_default():
    found = outlook("welcome", at("2027-02-05 23:00"), schedule=schedule(NIGHT),
                    active="welcome", published={"welcome"})
    assert found.next_play == at("2027-02-05 23:00")


def test_a_play_now_outranks_the_schedule_until_its_end():
    now = at("2027-02-05 10:00")
    until = now + dt.timedelta(hours=2)
    play_now = PlayNow("gate", until, "minh", now)
    found = outlook("gate", now, schedule=schedule(NIGHT), active="welcome", published=PUBLISHED,
                    play_now=play_now)
    assert (found.next_play, found.rule, found.until) == (now, PLAY_NOW_RULE, until)
    wanted = Wanted(schedule(NIGHT), 1, "welcome", [], {}, play_now)
    decision = decide(wanted, now, Verdict(True, "ok"))
    assert (decision.playlist, decision.rule) == ("gate", PLAY_NOW_RULE)
    assert decision.next_check <= until  # decided again by its end at the latest
    assert decide(wanted, until, Verdict(True, "ok")).playlist == "welcome"
    assert decide(wanted, now, Verdict(False, "clock jumped")).playlist == "welcome"


NIGHT_SCHEDULE = (f"default: welcome\ntimezone: Asia/Ho_Chi_Minh\nrules:\n"
                  f"  - {{name: night, playlist: night, time: \"22:00-06:00\"}}\n")


def night_playlist() -> str:
    return WELCOME_YAML.replace("name: welcome", "name: night")


def test_approving_says_when_the_wall_will_show_it(client, auth, approver, store, settings, clock):
    publish(client, auth, approver, content=WELCOME_YAML, headers=YAML)
    publish(client, auth, approver, "/api/playlists/night", content=night_playlist(), headers=YAML)
    publish(client, auth, approver, "/api/schedule", content=NIGHT_SCHEDULE, headers=YAML)
    # a new revision of the night playlist, approved in the afternoon
    saved = client.put("/api/playlists/night", content=night_playlist().replace("12s", "15s"),
                       headers={**YAML, **auth})
    revision = saved.json()["revision"]
    client.post(f"/api/revisions/{revision}/submit", headers=auth)
    answer = client.post(f"/api/revisions/{revision}/approve", headers=approver)
    assert answer.status_code == 200, answer.text
    on_screen = answer.json()["on_screen"]
    assert on_screen["on_screen_now"] is False and on_screen["rule"] == "night"
    assert on_screen["says"] == "from 22:00 under rule night"  # START is 15:00 at the gate


def test_a_playlist_the_schedule_never_names_is_said_to_be_out_of_it(client, auth, approver):
    publish(client, auth, approver, content=WELCOME_YAML, headers=YAML)
    publish(client, auth, approver, "/api/schedule",
            content="default: welcome\ntimezone: Asia/Ho_Chi_Minh\nrules: []\n", headers=YAML)
    publish(client, auth, approver, "/api/playlists/gate",
            content=WELCOME_YAML.replace("name: welcome", "name: gate"), headers=YAML)
    listed = client.get("/api/playlists", headers=auth).json()["on_screen"]
    assert listed["gate"]["says"] == "not in the schedule" and listed["gate"]["in_schedule"] is False
    assert listed["welcome"]["in_schedule"] is True


def test_the_listing_tells_what_the_player_really_shows(client, auth, approver, settings, clock):
    publish(client, auth, approver, content=WELCOME_YAML, headers=YAML)
    write_status(settings, clock, state="playing", screen="content", playlist="welcome")
    assert client.get("/api/playlists", headers=auth).json()["on_screen"]["welcome"] == {
        "on_screen_now": True, "next_play": START.astimezone(dt.timezone.utc).isoformat(),
        "rule": None, "until": None, "in_schedule": True, "says": "on screen now"}
    write_status(settings, clock, state="blanked", screen="blanked", playlist="welcome")
    listed = client.get("/api/playlists", headers=auth).json()["on_screen"]["welcome"]
    assert listed["on_screen_now"] is False


def test_play_now_until_is_for_approvers_checked_and_audited(client, auth, approver, store, clock):
    publish(client, auth, approver, content=WELCOME_YAML, headers=YAML)
    assert client.put("/api/schedule/play-now", json={"playlist": "welcome", "duration": "1h"},
                      headers=auth).status_code == 403
    missing = client.put("/api/schedule/play-now", json={"playlist": "ghost", "duration": "1h"},
                         headers=approver)
    assert missing.status_code == 404 and missing.json()["code"] == "playlist_not_published"
    past = client.put("/api/schedule/play-now", headers=approver,
                      json={"playlist": "welcome", "until": "2020-01-01T00:00:00+07:00"})
    assert past.status_code == 422 and past.json()["detail"][0]["loc"] == ["body", "until"]
    set_ = client.put("/api/schedule/play-now", json={"playlist": "welcome", "duration": "2h"},
                      headers=approver)
    assert set_.status_code == 200
    assert set_.json()["play_now"]["expires_at"] == (clock.now() + dt.timedelta(hours=2)).isoformat()
    assert store.desired.play_now(active_at=clock.now()).playlist == "welcome"
    cleared = client.delete("/api/schedule/play-now", headers=approver)
    assert cleared.json()["cleared"] is True and store.desired.play_now() is None
    actions = [e.action for e in store.records.audit_log()]
    assert "schedule.play-now" in actions and "schedule.play-now.clear" in actions
