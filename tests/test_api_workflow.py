"""The approval workflow through the API: drafts, submission, four eyes, approval, rejection,
rollback, and the audit log that records every step (a real server, a fake clock)."""

from __future__ import annotations

import json
from typing import Iterator

import httpx
import pytest

from signage.api import create_app
from signage.content.models import Playlist
from signage.settings import Settings
from tests.conftest import add_image
from tests.test_api import (JSON, YAML, approver, auth, bearer, client, clock,  # noqa: F401 (fixtures)
                            message_playlist, publish, serve, settings, store)

NOTICE = {"text": {"vi": "Cửa khẩu tạm đóng", "en": "Gate closed", "zh": "口岸暂时关闭"},
          "duration": "1h"}


@pytest.fixture
def admin(store) -> dict[str, str]:
    return bearer(store, "admin")


@pytest.fixture
def live(store) -> int:
    """The welcome playlist as `signage import` leaves it: live without approval."""
    return store.content.publish_playlist(Playlist.model_validate(message_playlist(zh="欢迎")), "import",
                                  role="cli")


def save(client, who, zh="新通知", name="welcome") -> int:
    answer = client.put(f"/api/playlists/{name}", json=message_playlist(zh=zh, name=name),
                        headers=who)
    assert answer.status_code == 201, answer.text
    return answer.json()["revision"]


def step(client, who, revision: int, action: str, **body) -> httpx.Response:
    return client.post(f"/api/revisions/{revision}/{action}", headers=who, **body)


def active(client, who) -> dict:
    return client.get("/api/playlists", headers=who).json()["active"]


def on_screen_text(store) -> str:
    return store.content.live_content().playlist.items[0].text.zh


def test_an_editors_draft_is_not_live_and_the_same_editor_cannot_approve_it(client, store, auth,
                                                                              live):
    draft = save(client, auth)

    assert active(client, auth) == {"name": "welcome", "revision": live}
    assert client.get("/api/health").json()["live_revision"] == live
    assert step(client, auth, draft, "submit").status_code == 200
    refused = step(client, auth, draft, "approve")
    assert refused.status_code == 403 and "approver" in refused.json()["detail"]
    assert store.content.live_revision() == live and on_screen_text(store) == "欢迎"


def test_an_approver_cannot_approve_their_own_draft(client, store, approver, live):
    draft = save(client, approver)
    step(client, approver, draft, "submit")

    refused = step(client, approver, draft, "approve")

    assert refused.status_code == 403
    assert "four-eyes" in refused.json()["detail"] and "SIGNAGE_FOUR_EYES" in refused.json()["detail"]
    assert store.content.live_revision() == live
    assert client.get(f"/api/revisions/{draft}", headers=approver).json()["state"] == "submitted"


def test_a_site_may_turn_four_eyes_off(settings, clock, store, live):
    solo = bearer(store, "approver", "solo")
    app = create_app(Settings(settings.data_dir, settings.runtime_dir, four_eyes=False), clock, store)
    with serve(app) as url, httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        draft = save(client, solo)
        step(client, solo, draft, "submit")
        assert step(client, solo, draft, "approve").status_code == 200
    assert store.content.live_revision() == draft


def test_four_eyes_is_read_from_the_environment(tmp_path):
    assert Settings.from_env({"SIGNAGE_DATA_DIR": str(tmp_path)}).four_eyes is True
    assert Settings.from_env({"SIGNAGE_FOUR_EYES": "off"}).four_eyes is False
    with pytest.raises(Exception, match="SIGNAGE_FOUR_EYES='maybe': write on or off"):
        Settings.from_env({"SIGNAGE_FOUR_EYES": "maybe"})


def test_an_approvers_approval_makes_the_draft_live_and_active(client, store, auth, approver, live):
    draft = save(client, auth, zh="今日开放")
    step(client, auth, draft, "submit")

    answer = step(client, approver, draft, "approve")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["state"], body["live"], body["author"], body["decided_by"]) == (
        "approved", True, "ci-editor", "ci-approver")
    assert active(client, auth) == {"name": "welcome", "revision": draft}
    assert on_screen_text(store) == "今日开放"


@pytest.mark.parametrize("setup, action, allowed", [
    ([], "approve", "only a submitted revision can be approved: submit it first"),
    (["submit", "approve"], "reject", "only a submitted revision can be rejected"),
    (["submit"], "submit", "only a draft revision can be submitted"),
], ids=["approve-a-draft", "reject-an-approved", "submit-twice"])
def test_a_step_the_state_does_not_allow_is_409_saying_what_is(client, auth, approver, live,
                                                              setup, action, allowed):
    draft = save(client, auth)
    for done in setup:
        assert step(client, approver if done == "approve" else auth, draft, done).status_code == 200

    answer = step(client, approver if action != "submit" else auth, draft, action,
                  json={"reason": "not now"} if action == "reject" else None)

    assert answer.status_code == 409
    assert allowed in answer.json()["detail"]


def test_unknown_revisions_are_404(client, auth, approver):
    for who, action in ((auth, "submit"), (approver, "approve")):
        answer = step(client, who, 4242, action)
        assert answer.status_code == 404 and "4242" in answer.json()["detail"]
    assert client.get("/api/revisions/4242", headers=auth).status_code == 404


def test_a_rejection_needs_a_reason_and_its_author_can_read_it(client, store, auth, approver, live):
    draft = save(client, auth)
    step(client, auth, draft, "submit")

    for body in ({}, {"reason": "   "}, {"reason": "x", "extra": 1}):
        assert step(client, approver, draft, "reject", json=body).status_code == 422, body
    answer = step(client, approver, draft, "reject", json={"reason": "Thiếu dấu ở dòng tiếng Việt"})

    assert answer.status_code == 200 and answer.json()["state"] == "rejected"
    seen = client.get(f"/api/revisions/{draft}", headers=auth).json()
    assert seen["reason"] == "Thiếu dấu ở dòng tiếng Việt" and seen["decided_by"] == "ci-approver"
    assert seen["body"]["items"][0]["text"]["zh"] == "新通知"
    assert store.content.live_revision() == live


def test_the_revision_list_has_states_and_filters(client, auth, approver, live):
    draft = save(client, auth)
    night = save(client, auth, name="night")

    everything = client.get("/api/revisions", headers=auth).json()["revisions"]
    welcome = client.get("/api/revisions", params={"kind": "playlist", "name": "welcome"},
                         headers=auth).json()["revisions"]
    schedules = client.get("/api/revisions", params={"kind": "schedule"}, headers=auth).json()

    assert [(r["id"], r["state"], r["live"]) for r in everything] == [
        (night, "draft", False), (draft, "draft", False), (live, "approved", True)]
    assert [r["id"] for r in welcome] == [draft, live] and "body" not in welcome[0]
    assert schedules == {"revisions": []}


def test_rollback_restores_the_previous_revisions_content(client, store, auth, approver, live):
    newer = publish(client, auth, approver, json=message_playlist(zh="新内容")).json()["revision"]
    assert on_screen_text(store) == "新内容"

    answer = client.post("/api/playlists/welcome/rollback", json={"revision": live},
                         headers=approver)

    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == live and answer.json()["live"] is True
    assert store.content.live_revision() == live and on_screen_text(store) == "欢迎"
    states = {r["id"]: r["state"] for r in
              client.get("/api/revisions", headers=auth).json()["revisions"]}
    assert states == {live: "approved", newer: "approved"}  # nothing is lost
    again = client.post("/api/playlists/welcome/rollback", json={"revision": live}, headers=approver)
    assert again.status_code == 409 and "live already" in again.json()["detail"]
    assert client.post("/api/playlists/welcome/rollback", json={"revision": live},
                       headers=auth).status_code == 403


def test_rolling_back_to_a_draft_or_another_playlist_is_409(client, auth, approver, live):
    draft = save(client, auth)
    night = save(client, auth, name="night")
    for revision, reason in ((draft, "is draft"), (night, "belongs to playlist 'night'")):
        answer = client.post("/api/playlists/welcome/rollback", json={"revision": revision},
                             headers=approver)
        assert answer.status_code == 409 and reason in answer.json()["detail"]
    missing = client.post("/api/playlists/welcome/rollback", json={"revision": 999},
                          headers=approver)
    assert missing.status_code == 404


def test_a_schedule_goes_through_the_same_workflow_and_rolls_back(client, store, auth, approver,
                                                                 live):
    first = publish(client, auth, approver, "/api/schedule",
                    json={"name": "gate", "default": "welcome"}).json()["revision"]
    draft = client.put("/api/schedule", json={"name": "gate", "default": "welcome",
                                              "rules": [{"name": "late", "playlist": "welcome",
                                                         "time": "22:00-23:00"}]}, headers=auth)
    assert draft.status_code == 201 and store.content.live_schedule()[0] == first
    second = draft.json()["revision"]
    step(client, auth, second, "submit")
    step(client, approver, second, "approve")
    assert store.content.live_schedule()[0] == second

    answer = client.post("/api/schedule/rollback", json={"revision": first}, headers=approver)

    assert answer.status_code == 200, answer.text
    assert store.content.live_schedule()[0] == first and store.content.live_schedule()[1].rules == []
    assert client.get("/api/schedule", headers=auth).json()["revision"] == first
    wrong = client.post("/api/schedule/rollback", json={"revision": live}, headers=approver)
    assert wrong.status_code == 409 and "belongs to playlist 'welcome'" in wrong.json()["detail"]


def test_every_step_is_in_the_audit_log_and_no_secret_is(client, store, auth, approver, admin,
                                                         live):
    draft = publish(client, auth, approver, json=message_playlist(zh="新内容")).json()["revision"]
    turned_down = save(client, auth, zh="另一个")
    step(client, auth, turned_down, "submit")
    step(client, approver, turned_down, "reject", json={"reason": "wrong date"})
    client.post("/api/playlists/welcome/rollback", json={"revision": live}, headers=approver)
    notice = client.post("/api/emergency", json=NOTICE, headers=approver).json()
    client.delete(f"/api/emergency/{notice['id']}", headers=approver)

    answer = client.get("/api/audit", headers=admin)

    assert answer.status_code == 200
    entries = answer.json()["entries"]
    assert [(e["actor"], e["role"], e["action"], e["revision"]) for e in entries] == [
        ("import", "cli", "playlist.publish", live),
        ("ci-editor", "editor", "playlist.save", draft),
        ("ci-editor", "editor", "playlist.submit", draft),
        ("ci-approver", "approver", "playlist.approve", draft),
        ("ci-editor", "editor", "playlist.save", turned_down),
        ("ci-editor", "editor", "playlist.submit", turned_down),
        ("ci-approver", "approver", "playlist.reject", turned_down),
        ("ci-approver", "approver", "playlist.rollback", live),
        ("ci-approver", "approver", "emergency.create", None),
        ("ci-approver", "approver", "emergency.cancel", None),
    ]
    assert all(e["at"] and e["id"] for e in entries)
    assert entries[6]["detail"] == {"reason": "wrong date"}
    text = json.dumps(answer.json())
    for headers in (auth, approver, admin):
        secret = headers["Authorization"].removeprefix("Bearer ")
        assert secret not in text
    assert "sgn_" not in text and "sgs_" not in text


def test_the_audit_log_is_read_in_pages_by_admins_only(client, store, auth, admin, live):
    for zh in ("一", "二", "三"):
        save(client, auth, zh=zh)

    first = client.get("/api/audit", params={"limit": 2}, headers=admin).json()
    rest = client.get("/api/audit", params={"since_id": first["next_since_id"]}, headers=admin).json()

    assert [e["action"] for e in first["entries"]] == ["playlist.publish", "playlist.save"]
    assert [e["action"] for e in rest["entries"]] == ["playlist.save", "playlist.save"]
    assert rest["next_since_id"] == rest["entries"][-1]["id"]
    empty = client.get("/api/audit", params={"since_id": rest["next_since_id"]}, headers=admin).json()
    assert empty == {"entries": [], "next_since_id": rest["next_since_id"]}
    assert client.get("/api/audit", headers=auth).status_code == 403


def test_a_picture_a_waiting_draft_uses_cannot_be_deleted_until_it_is_rejected(client, store,
                                                                               auth, approver):
    from tests.test_api import png_bytes

    ref = add_image(store, png_bytes())
    answer = client.put("/api/playlists/gate", json={"items": [{"kind": "image", "asset": ref}]},
                        headers=auth)
    draft = answer.json()["revision"]
    step(client, auth, draft, "submit")

    refused = client.delete(f"/api/assets/{ref}", headers=auth)

    assert refused.status_code == 409 and refused.json()["playlists"] == ["gate"]
    step(client, approver, draft, "reject", json={"reason": "use the night photo"})
    assert client.delete(f"/api/assets/{ref}", headers=auth).status_code == 204
