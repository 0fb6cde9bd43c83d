"""The schedule through the API: saved as a draft, approved, read back, refused with reasons."""

from __future__ import annotations

from signage.content.models import Playlist
from signage.schedule.rules import Schedule
from tests.conftest import SAMPLES
from tests.test_api import (JSON, YAML, approver, auth, client, clock, publish,  # noqa: F401 (fixtures)
                            settings, store)

SCHEDULE = (SAMPLES / "schedule.yaml").read_text(encoding="utf-8")


def publish_playlists(store, *names):
    for name in names:
        store.content.publish_playlist(Playlist.model_validate({"name": name, "items": [
            {"kind": "message", "text": {"vi": "Chào", "en": "Hello", "zh": "你好"}}]}),
            "tester", activate=False)


def test_the_sample_schedule_is_published_and_read_back(client, auth, approver, store):
    publish_playlists(store, "welcome", "night", "tet", "opening-hours", "customs-campaign")
    answer = publish(client, auth, approver, "/api/schedule", content=SCHEDULE, headers=YAML)
    assert answer.json()["warnings"] == [] and answer.json()["name"] == "gate"
    revision, schedule = store.content.live_schedule()
    assert revision == answer.json()["revision"] and schedule.default == "welcome"
    back = client.get("/api/schedule", headers=auth).json()
    assert back["revision"] == revision and back["schedule"]["rules"][0]["time"] == "22:00-06:00"


def test_a_schedule_naming_unknown_playlists_is_refused_and_nothing_changes(client, auth, store):
    publish_playlists(store, "welcome")
    answer = client.put("/api/schedule", content=SCHEDULE, headers={**auth, **YAML})
    assert answer.status_code == 422
    problems = answer.json()["detail"]
    assert any(p["path"] == "rules[0].playlist" and "night" in p["reason"] and p["line"]
               for p in problems), problems
    assert store.content.live_schedule() is None
    assert client.get("/api/schedule", headers=auth).status_code == 404


def test_field_errors_name_the_field_and_line(client, auth, store):
    publish_playlists(store, "welcome")
    doc = "default: welcome\nrules:\n  - name: late\n    playlist: welcome\n    time: '25:00-26:00'\n"
    answer = client.put("/api/schedule", content=doc, headers={**auth, **YAML})
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["path"] == "rules[0].time" and problem["line"] == 5


def test_overlapping_equal_priorities_are_saved_with_a_warning(client, auth, store):
    publish_playlists(store, "welcome", "night")
    doc = {"default": "welcome", "rules": [
        {"name": "a", "playlist": "night", "time": "20:00-23:00"},
        {"name": "b", "playlist": "welcome", "time": "22:00-23:30"}]}
    answer = client.put("/api/schedule", json=doc, headers=auth)
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "draft" and store.content.live_schedule() is None
    [warning] = answer.json()["warnings"]
    assert warning["path"].startswith("rules[") and "overlap" in warning["reason"]


def test_schedule_routes_need_a_token(client):
    assert client.get("/api/schedule").status_code == 401
    assert client.put("/api/schedule", content=SCHEDULE, headers=YAML).status_code == 401


def test_a_wall_scheduled_off_is_healthy(client, settings, clock):
    from tests.test_api import write_status

    write_status(settings, clock, state="scheduled off", power={"on": False, "reason": "scheduled off"})
    answer = client.get("/api/health")
    assert answer.status_code == 200 and answer.json()["state"] == "ok"


def test_a_body_that_is_not_utf8_is_a_422_not_a_500(client, store):
    """Found by schemathesis."""
    editor = {"Authorization": f"Bearer {store.access.create_token('ci-editor-utf8', 'editor')}"}
    answer = client.put("/api/schedule", content=b"\xff\xfe", headers={**editor, **JSON})
    assert answer.status_code == 422 and "UTF-8" in answer.json()["detail"][0]["reason"]


def test_the_plan_shows_the_day_stretch_by_stretch_with_what_really_plays(
        client, auth, approver, store):
    publish_playlists(store, "welcome", "night", "tet", "opening-hours", "customs-campaign")
    publish(client, auth, approver, "/api/schedule", content=SCHEDULE, headers=YAML)
    answer = client.get("/api/schedule/plan", params={"date": "2027-02-06"}, headers=auth)
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert (plan["date"], plan["timezone"]) == ("2027-02-06", "Asia/Ho_Chi_Minh")
    assert [(r["from"][11:16], r["to"][11:16], r["playlist"], r["rule"], r["power"])
            for r in plan["rows"]] == [
        ("00:00", "01:00", "night", "night", "on"),
        ("01:00", "05:00", "night", "night", "off"),
        ("05:00", "06:00", "night", "night", "on"),
        ("06:00", "22:00", "tet", "tet-2027", "on"),
        ("22:00", "00:00", "night", "night", "on")]
    assert all(r["shows"] == r["playlist"] for r in plan["rows"])
    assert plan["rows"][3]["brightness"] == {"start": 25.0, "min": 25.0, "max": 100.0}


def test_a_draft_schedule_is_planned_before_approval(client, auth, store):
    publish_playlists(store, "welcome", "tet", "night")
    doc = {"default": "welcome", "rules": [
        {"name": "night", "playlist": "night", "time": "22:00-06:00", "priority": 40},
        {"name": "tet", "playlist": "tet", "time": "08:00-17:00", "priority": 30}]}
    saved = client.put("/api/schedule", json=doc, headers=auth)
    assert saved.status_code == 201, saved.text
    assert client.get("/api/schedule/plan", headers=auth).status_code == 404  # none is live
    plan = client.get("/api/schedule/plan", headers=auth, params={
        "date": "2027-03-01", "revision": saved.json()["revision"]}).json()
    assert [(r["from"][11:16], r["playlist"]) for r in plan["rows"]] == [
        ("00:00", "night"), ("06:00", "welcome"), ("08:00", "tet"), ("17:00", "welcome"),
        ("22:00", "night")]


def test_the_plan_says_what_really_shows_when_a_playlist_is_not_published(client, auth, store):
    # signage import on the box can publish a schedule before all of its playlists.
    publish_playlists(store, "welcome")
    store.content.publish_schedule(Schedule.model_validate({"default": "welcome", "rules": [
        {"name": "tet", "playlist": "tet", "time": "08:00-17:00"}]}), "import")
    rows = client.get("/api/schedule/plan", headers=auth, params={"date": "2027-03-01"}).json()["rows"]
    assert [(r["playlist"], r["shows"]) for r in rows] == [
        ("welcome", "welcome"), ("tet", "welcome"), ("welcome", "welcome")]


def test_planning_a_playlist_revision_or_a_bad_date_is_refused_by_name(client, auth, store):
    publish_playlists(store, "welcome")
    [playlist] = client.get("/api/revisions", headers=auth).json()["revisions"]
    wrong = client.get("/api/schedule/plan", headers=auth, params={"revision": playlist["id"]})
    assert wrong.status_code == 422 and "is a playlist" in wrong.json()["detail"]
    missing = client.get("/api/schedule/plan", headers=auth, params={"revision": 999})
    assert missing.status_code == 404
    bad = client.get("/api/schedule/plan", headers=auth, params={"date": "2027-02-30"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "date"]
