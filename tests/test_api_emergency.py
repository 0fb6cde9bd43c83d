"""Emergency notices through the API: stored, listed, cancelled, refused with reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_api import JSON, YAML, bearer, client, clock, settings, store  # noqa: F401 (fixtures)


@pytest.fixture
def auth(store) -> dict[str, str]:
    """An approver: emergency notices need one."""
    return bearer(store, "approver")


NOTICE = {"text": {"vi": "Cửa khẩu tạm đóng do sạt lở", "en": "Gate closed: landslide",
                   "zh": "口岸因山体滑坡暂时关闭"}, "duration": "2h"}


def test_a_notice_is_stored_active_and_listed(client, auth, store, clock):
    answer = client.post("/api/emergency", json=NOTICE, headers=auth)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["active"] is True and body["priority"] == 100
    assert dt.datetime.fromisoformat(body["expires_at"]) == clock.now() + dt.timedelta(hours=2)
    assert body["created_by"] == "ci-approver"
    [stored] = store.desired.emergencies(current_at=clock.now())
    assert stored.message.zh == "口岸因山体滑坡暂时关闭"
    listing = client.get("/api/emergency", headers=auth).json()
    assert listing["showing"] == body["id"] and listing["emergencies"][0]["active"] is True


def test_yaml_with_a_later_start_is_not_active_yet(client, auth, clock):
    start = (clock.now() + dt.timedelta(hours=1)).isoformat()
    doc = (f"text: {{vi: Đóng cửa, en: Closed, zh: 关闭}}\nstarts_at: {start}\n"
           "duration: 30m\npriority: 500\n")
    answer = client.post("/api/emergency", content=doc, headers={**auth, **YAML})
    assert answer.status_code == 201, answer.text
    assert answer.json()["active"] is False and answer.json()["priority"] == 500


def test_cancelling_gives_the_screen_back(client, auth, store, clock):
    created = client.post("/api/emergency", json=NOTICE, headers=auth).json()
    answer = client.delete(f"/api/emergency/{created['id']}", headers=auth)
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert answer.json()["cancelled_by"] == "ci-approver"
    assert store.desired.emergencies(current_at=clock.now()) == []
    missing = client.delete("/api/emergency/999", headers=auth)
    assert missing.status_code == 404 and "999" in missing.json()["detail"]


def test_bad_notices_are_refused_with_the_field_and_nothing_is_stored(client, auth, store):
    cases = [
        ({"text": NOTICE["text"]}, "(document)", "either duration"),
        ({**NOTICE, "text": {"vi": "Đóng", "en": "Closed"}}, "text.zh", "is required"),
        ({**NOTICE, "priority": 0}, "priority", "greater than or equal to 1"),
        ({**NOTICE, "duration": None, "expires_at": "2020-01-01T00:00:00+07:00"}, "expires_at",
         "already past"),
        ({**NOTICE, "duration": None, "expires_at": "2027-01-01T00:00:00"}, "expires_at",
         "timezone"),
        ({**NOTICE, "duration": "25h"}, "duration", "between"),
        ({**NOTICE, "colour": "red"}, "colour", "not a known field"),
    ]
    for body, path, reason in cases:
        answer = client.post("/api/emergency", json=body, headers=auth)
        assert answer.status_code == 422, (body, answer.text)
        problems = answer.json()["detail"]
        assert any(p["path"] == path and reason in p["reason"] for p in problems), (body, problems)
    assert store.desired.emergencies() == []


def test_emergency_routes_need_a_token(client):
    assert client.get("/api/emergency").status_code == 401
    assert client.post("/api/emergency", json=NOTICE).status_code == 401
    assert client.delete("/api/emergency/1").status_code == 401


def test_an_editor_sees_notices_but_cannot_post_or_cancel_them(client, store, clock, auth):
    created = client.post("/api/emergency", json=NOTICE, headers=auth).json()
    editor = bearer(store, "editor")
    assert client.get("/api/emergency", headers=editor).json()["showing"] == created["id"]
    refused = client.post("/api/emergency", json=NOTICE, headers=editor)
    assert refused.status_code == 403 and "approver" in refused.json()["detail"]
    assert client.delete(f"/api/emergency/{created['id']}", headers=editor).status_code == 403
    assert len(store.desired.emergencies()) == 1 and store.desired.emergencies()[0].active(clock.now())
