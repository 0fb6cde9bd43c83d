"""The schedule through the API: saved as a draft, approved, read back, refused with reasons."""

from __future__ import annotations

from signage.models import Playlist
from tests.conftest import SAMPLES
from tests.test_api import (JSON, YAML, approver, auth, client, clock, publish,  # noqa: F401 (fixtures)
                            settings, store)

SCHEDULE = (SAMPLES / "schedule.yaml").read_text(encoding="utf-8")


def publish_playlists(store, *names):
    for name in names:
        store.publish_playlist(Playlist.model_validate({"name": name, "items": [
            {"kind": "message", "text": {"vi": "Chào", "en": "Hello", "zh": "你好"}}]}),
            "tester", activate=False)


def test_the_sample_schedule_is_published_and_read_back(client, auth, approver, store):
    publish_playlists(store, "welcome", "night", "tet", "opening-hours", "customs-campaign")
    answer = publish(client, auth, approver, "/api/schedule", content=SCHEDULE, headers=YAML)
    assert answer.json()["warnings"] == [] and answer.json()["name"] == "gate"
    revision, schedule = store.live_schedule()
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
    assert store.live_schedule() is None
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
    assert answer.json()["state"] == "draft" and store.live_schedule() is None
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
    editor = {"Authorization": f"Bearer {store.create_token('ci-editor-utf8', 'editor')}"}
    answer = client.put("/api/schedule", content=b"\xff\xfe", headers={**editor, **JSON})
    assert answer.status_code == 422 and "UTF-8" in answer.json()["detail"][0]["reason"]
