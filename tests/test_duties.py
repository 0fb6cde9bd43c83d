"""Separation of duties: one admin credential cannot put anything on the wall.

An admin that mints an editor and an approver over the API (the attack in issue 12) gets
credentials that do nothing until a different admin confirms them.
"""

from __future__ import annotations

import pytest

from signage.cli.actor import console_actor
from signage.services import people
from signage.services.errors import Conflict, Forbidden
from signage.store.access import Principal
from tests.test_api import (WELCOME_YAML, YAML, bearer, client, clock, publish,  # noqa: F401
                            settings, store)

PASSWORD = "một mật khẩu đủ dài"


def mint(client, admin: dict, name: str, role: str) -> dict:
    answer = client.post("/api/tokens", headers=admin, json={"name": name, "role": role})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.fixture
def admin(store) -> dict:
    return bearer(store, "admin", "thu")


@pytest.fixture
def admin2(store) -> dict:
    return bearer(store, "admin", "hai")


def test_an_admin_alone_cannot_publish_through_credentials_it_minted(client, admin, store):
    editor = mint(client, admin, "my-editor", "editor")
    approver = mint(client, admin, "my-approver", "approver")

    saved = client.put("/api/playlists/welcome", content=WELCOME_YAML,
                       headers={**YAML, **editor})
    emergency = client.post("/api/emergency", headers=approver, json={})

    assert saved.status_code == 403
    assert "waits for a different admin to confirm it" in saved.json()["detail"]
    assert emergency.status_code == 403
    assert store.content.live_revision() is None
    assert client.get("/api/playlists", headers=editor).status_code == 403  # not even reading


def test_the_admin_that_made_a_credential_cannot_confirm_it(client, admin, store):
    mint(client, admin, "my-editor", "editor")

    answer = client.post("/api/tokens/my-editor/confirm", headers=admin)

    assert answer.status_code == 403
    assert answer.json()["code"] == "same_admin"
    assert next(t for t in store.access.tokens() if t.name == "my-editor").pending


def test_an_admin_minted_by_an_admin_cannot_confirm_either(client, admin):
    accomplice = mint(client, admin, "accomplice", "admin")
    mint(client, admin, "my-editor", "editor")

    answer = client.post("/api/tokens/my-editor/confirm", headers=accomplice)

    assert answer.status_code == 403 and "waits for a different admin" in answer.json()["detail"]


def test_a_second_admin_confirms_and_then_the_work_goes_through(client, admin, admin2, store):
    editor = mint(client, admin, "lan-editor", "editor")
    approver = mint(client, admin, "minh-approver", "approver")
    for name in ("lan-editor", "minh-approver"):
        confirmed = client.post(f"/api/tokens/{name}/confirm", headers=admin2)
        assert confirmed.status_code == 200 and confirmed.json()["pending"] is False

    publish(client, editor, approver, content=WELCOME_YAML, headers=YAML)

    assert store.content.live_revision() is not None
    assert [(e.action, e.actor, e.detail) for e in store.records.audit_log()
            if e.action == "token.confirm"] == [
        ("token.confirm", "hai", {"made_by": "token:thu"})] * 2
    again = client.post("/api/tokens/lan-editor/confirm", headers=admin2)
    assert again.status_code == 409 and again.json()["code"] == "not_pending"


def test_a_person_made_by_an_admin_logs_in_but_can_do_nothing_until_confirmed(
        client, admin, admin2):
    client.post("/api/users", headers=admin,
                json={"name": "lan", "role": "editor", "password": PASSWORD})
    session = client.post("/api/login", json={"name": "lan", "password": PASSWORD}).json()
    as_lan = {"Authorization": f"Bearer {session['token']}"}

    before = client.get("/api/playlists", headers=as_lan)
    assert client.post("/api/users/lan/confirm", headers=admin2).status_code == 200
    after = client.get("/api/playlists", headers=as_lan)

    assert before.status_code == 403 and "POST /api/users/lan/confirm" in before.json()["detail"]
    assert after.status_code == 200


def test_the_boxs_console_is_a_trusted_path(store):
    """`signage user/token create` runs as whoever has a shell on the box: not pending."""
    people.create_user(store.access, store.records, console_actor("tuan"), "lan", "editor",
                       PASSWORD)
    people.create_token(store.access, store.records, console_actor("tuan"), "script", "approver")

    assert not store.access.user("lan").pending
    assert not next(t for t in store.access.tokens() if t.name == "script").pending


def test_confirming_is_one_door_with_its_refusals(store):
    thu = Principal("thu", "admin", "user")
    people.create_token(store.access, store.records, thu, "script", "editor")

    with pytest.raises(Forbidden):
        people.confirm(store.access, store.records, thu, "token", "script")
    people.confirm(store.access, store.records, Principal("hai", "admin", "user"), "token",
                   "script")
    with pytest.raises(Conflict):
        people.confirm(store.access, store.records, Principal("hai", "admin", "user"), "token",
                       "script")


def test_one_credential_cannot_author_and_approve(client, store):
    approver = bearer(store, "approver", "minh")
    saved = client.put("/api/playlists/welcome", content=WELCOME_YAML,
                       headers={**YAML, **approver})
    revision = saved.json()["revision"]
    assert client.post(f"/api/revisions/{revision}/submit", headers=approver).status_code == 200

    answer = client.post(f"/api/revisions/{revision}/approve", headers=approver)

    assert answer.status_code == 403
    assert store.content.live_revision() is None


def test_the_console_lists_and_confirms_what_an_admin_made(tmp_path, capsys, monkeypatch):
    from signage.cli.main import main
    from signage.store import Store

    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    made = Store(tmp_path)
    people.create_token(made.access, made.records, Principal("thu", "admin", "user"),
                        "script", "editor")
    made.close()
    assert main(["token", "list"]) == 0
    assert "script\teditor\tpending (confirm it: signage token confirm)" in capsys.readouterr().out

    assert main(["token", "confirm", "--name", "script"]) == 0
    assert main(["token", "confirm", "--name", "script"]) == 1  # not waiting any more
    assert "not waiting for confirmation" in capsys.readouterr().err
    assert main(["token", "list"]) == 0
    assert "script\teditor\tlive" in capsys.readouterr().out
