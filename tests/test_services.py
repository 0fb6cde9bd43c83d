"""The one door per action, called directly: each refusal has its kind, a stable code and
parameters (what the console will put into Vietnamese), and nothing is written when refused.
The REST and CLI faces are tested through their own tests; here the shared rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from signage.cli.actor import CONSOLE_ROLE, console_actor
from signage.services import assets, emergency, panel, people, revisions
from signage.services.errors import Conflict, Forbidden, Invalid, NotFound
from signage.store.access import Principal
from tests.test_api import WELCOME_YAML

EDITOR = Principal("lan", "editor", "user")
APPROVER = Principal("minh", "approver", "user")
TECHNICIAN = Principal("hai", "technician", "user")
ADMIN = Principal("thu", "admin", "user")


def image_bytes() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (20, 120, 40)).save(out, "PNG")
    return out


def test_a_bad_playlist_is_refused_with_a_code_per_problem_and_nothing_saved(store, settings):
    text = WELCOME_YAML.replace("duration: 12s", "duraton: 12s")
    with pytest.raises(Invalid) as refused:
        revisions.save_playlist(store, settings, EDITOR, "welcome", text)
    assert refused.value.code == "playlist_not_saved"
    assert [(p.path, p.code, p.line) for p in refused.value.problems] == [
        ("items[0].duraton", "extra_forbidden", 4)]
    assert store.revisions() == []


def test_unreadable_text_is_a_problem_of_the_same_action(store, settings):
    with pytest.raises(Invalid) as refused:
        revisions.save_playlist(store, settings, EDITOR, "welcome", "name: [\n")
    assert refused.value.code == "playlist_not_saved"
    assert [p.code for p in refused.value.problems] == ["yaml_syntax"]


def test_a_name_that_differs_from_the_one_asked_for_is_named(store, settings):
    with pytest.raises(Invalid) as refused:
        revisions.save_playlist(store, settings, EDITOR, "lobby", WELCOME_YAML)
    [problem] = refused.value.problems
    assert (problem.code, problem.params) == ("name_mismatch", {"given": "welcome",
                                                               "expected": "lobby"})


def test_the_author_cannot_approve_their_own_draft(store, settings):
    saved = revisions.save_playlist(store, settings, APPROVER, "welcome", WELCOME_YAML)
    revisions.submit(store, APPROVER, saved.revision)
    with pytest.raises(Forbidden) as refused:
        revisions.approve(store, settings, APPROVER, saved.revision)
    assert refused.value.code == "four_eyes"
    assert store.live_revision() is None


def test_the_workflow_refusals_say_their_kind(store, settings):
    with pytest.raises(NotFound) as missing:
        revisions.submit(store, EDITOR, 999)
    assert missing.value.code == "revision_not_found"
    saved = revisions.save_playlist(store, settings, EDITOR, "welcome", WELCOME_YAML)
    with pytest.raises(Conflict) as conflict:
        revisions.approve(store, settings, APPROVER, saved.revision)  # still a draft
    assert conflict.value.code == "revision_state"


def test_an_image_in_use_cannot_be_deleted_and_the_answer_names_its_users(store, settings):
    stored = assets.upload_image(store, settings, EDITOR, image_bytes(), "gate.png")
    text = WELCOME_YAML + f"  - kind: image\n    asset: {stored.id}\n    duration: 5s\n"
    saved = revisions.save_playlist(store, settings, EDITOR, "welcome", text)
    revisions.submit(store, EDITOR, saved.revision)
    revisions.approve(store, settings, APPROVER, saved.revision)
    with pytest.raises(Conflict) as refused:
        assets.delete_asset(store, EDITOR, stored.id)
    assert refused.value.code == "asset_in_use"
    assert refused.value.params["used_by"] == [{"kind": "playlist", "name": "welcome"}]
    assert store.has_asset(stored.id)


def test_something_that_is_not_an_image_is_refused_at_the_file_field(store, settings):
    with pytest.raises(Invalid) as refused:
        assets.upload_image(store, settings, EDITOR, io.BytesIO(b"<svg/>" * 10), "x.png")
    assert [p.path for p in refused.value.problems] == ["file"]
    assert refused.value.problems[0].code == "image_refused"
    assert store.assets() == []


def test_uploads_and_deletions_are_audited(store, settings):
    stored = assets.upload_image(store, settings, EDITOR, image_bytes(), "gate.png")
    assets.delete_asset(store, EDITOR, stored.id.removeprefix("sha256:"))
    actions = [(e.actor, e.action) for e in store.audit_log()]
    assert ("lan", "asset.upload") in actions and ("lan", "asset.delete") in actions


def test_an_emergency_without_its_chinese_text_is_not_stored(store, clock):
    notice = '{"text": {"vi": "Đóng cửa", "en": "Closed"}, "duration": "1h"}'
    with pytest.raises(Invalid) as refused:
        emergency.post_emergency(store, clock, APPROVER, notice)
    assert [(p.path, p.code) for p in refused.value.problems] == [("text.zh", "missing")]
    assert store.emergencies() == []


def test_cancelling_an_unknown_notice_is_not_found(store):
    with pytest.raises(NotFound) as refused:
        emergency.cancel_emergency(store, APPROVER, 41)
    assert (refused.value.code, refused.value.params) == ("emergency_not_found", {"id": 41})


@pytest.mark.parametrize("ends, field, code", [
    ({"expires_at": dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc), "duration": "1h"},
     "duration", "both_ends"),
    ({"duration": "forever"}, "duration", "bad_duration"),
    ({"expires_at": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)}, "expires_at", "in_the_past"),
], ids=["both", "bad-duration", "past"])
def test_an_override_end_that_cannot_be_used_names_its_field(store, clock, settings, ends,
                                                              field, code):
    with pytest.raises(Invalid) as refused:
        panel.set_override(store, clock, settings, TECHNICIAN, "brightness", 40.0, **ends)
    assert [(p.path, p.code) for p in refused.value.problems] == [(field, code)]
    assert store.overrides() == {}


def test_a_pattern_the_device_lacks_is_refused_with_the_ones_it_has(store, clock, settings):
    with pytest.raises(Invalid) as refused:
        panel.set_override(store, clock, settings, TECHNICIAN, "test_pattern", "ageing")
    assert refused.value.problems[0].code == "pattern_not_shown"
    assert "red" in refused.value.params["shown"]


def test_overrides_are_set_cleared_and_audited(store, clock, settings):
    panel.set_override(store, clock, settings, TECHNICIAN, "power", False, duration="30m")
    was = panel.clear_override(store, TECHNICIAN, "power")
    assert was.value is False and store.overrides() == {}
    assert [e.action for e in store.audit_log()][-2:] in (
        ["panel.power", "panel.power.clear"], ["panel.power.clear", "panel.power"])


def test_people_rules_have_codes(store):
    with pytest.raises(Invalid) as short:
        people.create_user(store, ADMIN, "lan", "editor", "short")
    assert short.value.problems[0].code == "password_too_short"
    people.create_user(store, ADMIN, "lan", "editor", "a long enough passphrase")
    with pytest.raises(Conflict) as taken:
        people.create_user(store, ADMIN, "lan", "editor", "a long enough passphrase")
    assert taken.value.code == "name_taken"
    with pytest.raises(NotFound):
        people.revoke_token(store, ADMIN, "nobody")


def test_console_actions_are_audited_under_the_console_role(store):
    actor = console_actor("tuan")
    people.create_token(store, actor, "ci", "editor")
    [entry] = [e for e in store.audit_log() if e.action == "token.create"]
    assert (entry.actor, entry.role) == ("console:tuan", CONSOLE_ROLE)
