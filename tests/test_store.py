"""The store: revisions publish whole or not at all; assets once by sha256; hashed tokens."""

import datetime as dt
import hashlib
import io
import sqlite3
import threading

import pytest
from PIL import Image

from signage.errors import AssetMissing, ContentError, StoreError
from signage.services.importer import import_paths
from signage.content.documents import DocumentError
from signage.content.models import Playlist
from signage.store.database import (AssetInUse, FourEyesRefused, Principal, RevisionConflict,
                           RevisionNotFound, Store)
from tests.conftest import SAMPLES


def png_bytes(colour=(200, 30, 30), size=(32, 16), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def message_playlist(name="welcome", vi="Xin chào", background=None) -> Playlist:
    item = {"kind": "message", "text": {"vi": vi, "en": "Hello", "zh": "你好"}}
    if background:
        item["background"] = background
    return Playlist.model_validate({"name": name, "items": [item]})


def test_database_is_in_wal_mode(store, settings):
    db = sqlite3.connect(settings.db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_publish_makes_the_playlist_live_and_active(store):
    assert store.live_content() is None
    revision = store.publish_playlist(message_playlist(vi="Một"), "tester")
    live = store.live_content()
    assert live.revision == revision and live.playlist.items[0].text.vi == "Một"
    newer = store.publish_playlist(message_playlist(vi="Hai"), "tester")
    assert newer > revision and store.live_content().playlist.items[0].text.vi == "Hai"


def test_assets_are_stored_once_by_content_hash(store):
    data = png_bytes()
    ref = store.add_asset(data, "photo.png")
    assert ref == "sha256:" + hashlib.sha256(data).hexdigest()
    assert store.add_asset(data, "another-name.png") == ref
    assert store.asset_path(ref).read_bytes() == data
    assert len(list(store.assets_dir.rglob("*"))) == 2  # one folder, one file


@pytest.mark.parametrize("data, reason", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is SVG or other markup"),
    (b"GIF89a" + b"\0" * 20, "GIF image; use PNG, JPEG or WebP"),
    (png_bytes(fmt="BMP"), "BMP image; use PNG, JPEG or WebP"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "damaged or cut short"),
])
def test_assets_are_checked_by_content(store, data, reason):
    with pytest.raises(ContentError) as caught:
        store.add_asset(data, "looks-fine.png")
    assert reason in str(caught.value)
    assert not any(p.is_file() for p in store.assets_dir.rglob("*"))


def test_jpeg_and_webp_are_accepted(store):
    for fmt in ("JPEG", "WEBP"):
        assert store.add_asset(png_bytes(fmt=fmt)).startswith("sha256:")


def test_a_revision_naming_a_missing_asset_is_not_published(store):
    store.publish_playlist(message_playlist(vi="Cũ"), "tester")
    ghost = "sha256:" + "0" * 64
    with pytest.raises(AssetMissing):
        store.publish_playlist(message_playlist(vi="Mới", background=ghost), "tester")
    assert store.live_content().playlist.items[0].text.vi == "Cũ"


def test_a_revision_whose_asset_file_vanished_is_not_published(store):
    ref = store.add_asset(png_bytes())
    store.asset_path(ref).unlink()
    with pytest.raises(AssetMissing):
        store.publish_playlist(message_playlist(background=ref), "tester")
    assert store.live_content() is None


def test_assets_are_listed_newest_first_with_their_labels(store, clock):
    first = store.add_asset(png_bytes(), "first.png")
    clock.advance(60)
    second = store.add_asset(png_bytes(colour=(0, 0, 200)), None)

    listed = store.assets()

    assert [(a.ref, a.original_name) for a in listed] == [(second, None), (first, "first.png")]
    assert listed[1].as_dict()["id"] == first and (listed[1].width, listed[1].height) == (32, 16)
    assert store.asset(first) == listed[1] and store.asset("sha256:" + "0" * 64) is None


def test_deleting_an_asset_live_content_uses_is_refused_until_it_is_superseded(store):
    ref = store.add_asset(png_bytes())
    store.publish_playlist(message_playlist(background=ref), "tester")
    with pytest.raises(AssetInUse) as in_use:
        store.delete_asset(ref)
    assert in_use.value.users == [("playlist", "welcome")]
    assert store.asset_path(ref).is_file()

    store.publish_playlist(message_playlist(), "tester")  # supersedes the one with the picture
    store.delete_asset(ref)

    assert not store.has_asset(ref) and not store.asset_path(ref).exists()
    with pytest.raises(AssetMissing):
        store.delete_asset(ref)


@pytest.mark.parametrize("state, blocks", [("draft", True), ("submitted", True),
                                           ("superseded", False), ("rejected", False)])
def test_deleting_respects_pending_revisions(store, state, blocks):
    ref = store.add_asset(png_bytes())
    store.publish_playlist(message_playlist(), "tester")
    draft = store.save_draft("playlist", message_playlist(background=ref), "lan", role="editor")
    if state != "draft":
        store.submit(draft, "lan", role="editor")
    if state == "rejected":
        store.reject(draft, "minh", "the picture is blurred", role="approver")
    if state == "superseded":
        store.approve(draft, "minh", "approver")
        store.publish_playlist(message_playlist(), "tester")

    if blocks:
        with pytest.raises(AssetInUse):
            store.delete_asset(ref)
    else:
        store.delete_asset(ref)
    assert store.has_asset(ref) is blocks


def test_readers_see_old_or_new_revision_never_a_mix(store, settings):
    """A second connection reading while revisions publish sees only whole revisions."""
    reader = Store(settings.data_dir)
    seen = []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            live = reader.live_content()
            if live:
                seen.append((live.revision, live.playlist.items[0].text.vi))

    thread = threading.Thread(target=read)
    thread.start()
    published = {store.publish_playlist(message_playlist(vi=f"Bản {n}"), "t"): f"Bản {n}" for n in range(30)}
    stop.set()
    thread.join()
    assert seen and all(published[rev] == text for rev, text in seen)


def test_data_version_changes_when_another_process_publishes(store, settings):
    other = Store(settings.data_dir)
    before = store.data_version()
    other.publish_playlist(message_playlist(), "other")
    assert store.data_version() != before


def test_tokens_are_stored_only_as_hashes(store, settings):
    token = store.create_token("ops", "admin")
    assert store.verify_token(token).name == "ops"
    raw = settings.db_path.read_bytes() + b"".join(
        p.read_bytes() for p in settings.data_dir.glob("signage.db-*"))
    assert token.encode() not in raw
    assert store.verify_token(token + "x") is None
    assert store.verify_token("") is None
    store.revoke_token("ops")
    assert store.verify_token(token) is None


def test_token_names_are_unique_and_roles_known(store):
    store.create_token("ops", "admin")
    with pytest.raises(StoreError, match="exists"):
        store.create_token("ops", "admin")
    with pytest.raises(StoreError, match="role"):
        store.create_token("x", "superuser")


def test_desired_state_survives_reopening(settings, clock):
    first = Store(settings.data_dir, clock)
    revision = first.publish_playlist(message_playlist(), "t")
    first.close()
    assert Store(settings.data_dir, clock).live_content().revision == revision


def test_import_stores_images_and_rewrites_paths(store):
    imported = import_paths(store, [SAMPLES])
    assert {(i.kind, i.name) for i in imported} == {
        ("playlist", "welcome"), ("playlist", "night"), ("playlist", "tet"),
        ("playlist", "opening-hours"), ("playlist", "customs-campaign"), ("playlist", "gate-board"),
        ("schedule", "gate")}
    assert imported[-1].kind == "schedule"  # after the playlists it names
    assert store.active_playlist() == "welcome"
    assert store.live_schedule()[1].default == "welcome"
    live = store.live_content()
    refs = live.playlist.asset_refs()
    assert refs and all(r.startswith("sha256:") and store.asset_path(r).is_file() for r in refs)


def test_a_schedule_naming_a_playlist_that_is_not_imported_is_refused(store, tmp_path):
    (tmp_path / "schedule.yaml").write_text("default: welcome\nrules:\n  - name: late\n"
                                            "    playlist: ghost\n    time: '22:00-23:00'\n")
    with pytest.raises(DocumentError) as refused:
        import_paths(store, [SAMPLES / "welcome.yaml", tmp_path / "schedule.yaml"])
    [problem] = refused.value.problems
    assert problem.path == "rules[0].playlist" and "ghost" in problem.reason and problem.line == 4
    assert store.live_schedule() is None


def test_import_keeps_the_active_choice_and_can_switch(store):
    import_paths(store, [SAMPLES])
    import_paths(store, [SAMPLES / "night.yaml"])
    assert store.active_playlist() == "welcome"
    import_paths(store, [SAMPLES], activate="night")
    assert store.live_content().playlist.name == "night"


def test_import_refuses_a_file_that_is_not_an_image(store, tmp_path):
    (tmp_path / "fake.png").write_text("not a picture")
    playlist = tmp_path / "p.yaml"
    playlist.write_text("name: p\nitems:\n  - kind: image\n    asset: fake.png\n")
    with pytest.raises(DocumentError) as caught:
        import_paths(store, [playlist])
    problem, = caught.value.problems
    assert (problem.path, problem.line) == ("items[0].asset", 4)
    assert "fake.png is not a readable PNG" in problem.reason
    assert store.live_content() is None


# --- schema version 2: emergencies, overrides, the newest time seen ------------------


def test_a_version_1_database_is_migrated_without_losing_content(settings, clock):
    """A box updated in the field keeps its playlists, and foreign keys still hold."""
    from signage.store import database as store_module

    settings.data_dir.mkdir(parents=True)
    db = sqlite3.connect(settings.db_path)
    for statement in store_module._statements(store_module._MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version=1")
    body = message_playlist(vi="Cũ").model_dump_json()
    db.execute("INSERT INTO revisions VALUES (7, 'playlist', 'welcome', ?, 'old', '2026-01-01')", (body,))
    db.execute("INSERT INTO live VALUES ('playlist', 'welcome', 7)")
    db.execute("INSERT INTO desired VALUES ('active_playlist', '\"welcome\"', '2026-01-01')")
    db.commit()
    db.close()

    store = Store(settings.data_dir, clock)
    live = store.live_content()
    assert (live.revision, live.playlist.items[0].text.vi) == (7, "Cũ")
    assert store.publish_playlist(message_playlist(vi="Mới"), "tester") == 8
    old = store.revision(7)  # published before the workflow existed: approved by its author
    assert (old.state, old.decided_by, old.live) == ("approved", "old", False)
    with pytest.raises(sqlite3.IntegrityError):  # revision_assets still checks its revision
        with store._write() as db:
            db.execute("INSERT INTO revision_assets VALUES (999, 'nothing')")
    store.close()


def test_emergency_messages_are_kept_until_cancelled_or_expired(store, clock):
    from signage.content.models import Message

    now = clock.now()
    text = Message(vi="Cửa khẩu tạm đóng", en="Gate closed", zh="口岸暂时关闭")
    low = store.add_emergency(text, now + dt.timedelta(hours=1), "duty officer", priority=50)
    high = store.add_emergency(text, now + dt.timedelta(minutes=5), "duty officer", priority=90)
    assert [e.id for e in store.emergencies(current_at=now)] == [high.id, low.id]
    assert high.active(now) and not high.active(now + dt.timedelta(minutes=5))
    assert [e.id for e in store.emergencies(current_at=now + dt.timedelta(minutes=6))] == [low.id]
    cancelled = store.cancel_emergency(low.id, "supervisor")
    assert cancelled.cancelled_by == "supervisor" and not cancelled.active(now)
    assert store.emergencies(current_at=now + dt.timedelta(minutes=6)) == []
    assert len(store.emergencies()) == 2  # the record stays for the log
    with pytest.raises(StoreError, match="after starts_at"):
        store.add_emergency(text, now, "duty officer")
    with pytest.raises(StoreError, match="no emergency message has id 999"):
        store.cancel_emergency(999, "x")


def test_overrides_expire_by_themselves(store, clock):
    now = clock.now()
    store.set_override("brightness", 40, "technician", now + dt.timedelta(minutes=30))
    store.set_override("power", False, "technician")
    assert store.overrides(active_at=now)["brightness"].value == 40
    later = store.overrides(active_at=now + dt.timedelta(minutes=31))
    assert set(later) == {"power"} and later["power"].value is False
    store.clear_override("power")
    assert set(store.overrides()) == {"brightness"}
    with pytest.raises(StoreError, match="choose one of brightness, power, test_pattern"):
        store.set_override("volume", 3, "technician")


def test_the_newest_time_seen_only_moves_forward(store, clock):
    assert store.newest_seen_time() is None
    store.record_seen_time(clock.now())
    store.record_seen_time(clock.now() - dt.timedelta(days=400))  # a clock set back
    assert store.newest_seen_time() == clock.now()


# --- people, sessions and roles ----------------------------------------------------------


def test_a_person_logs_in_for_a_short_session_and_the_password_is_kept_only_as_scrypt(
        store, clock, settings):
    store.create_user("lan", "editor", "correct horse battery")
    assert store.login("lan", "wrong password here") is None
    assert store.login("nobody", "correct horse battery") is None
    token, expires = store.login("lan", "correct horse battery")
    assert token.startswith("sgs_") and expires == clock.now() + dt.timedelta(hours=1)
    assert store.verify_credential(token) == Principal("lan", "editor", "user")
    raw = settings.db_path.read_bytes() + (settings.db_path.parent / "signage.db-wal").read_bytes()
    assert b"correct horse" not in raw and token.encode() not in raw
    assert b"scrypt$16384$8$1$" in raw
    clock.advance(3601)
    assert store.verify_credential(token) is None  # expired


def test_disabling_a_person_ends_their_sessions(store):
    store.create_user("minh", "approver", "a long enough password")
    token, _ = store.login("minh", "a long enough password")
    store.disable_user("minh")
    assert store.verify_credential(token) is None
    assert store.login("minh", "a long enough password") is None


@pytest.mark.parametrize("name, role, password, message", [
    ("x y", "editor", "a long enough password", "needs a name"),
    ("hoa", "boss", "a long enough password", "choose one of editor, approver, technician, admin"),
    ("hoa", "editor", "short", "at least 12 characters"),
])
def test_bad_people_are_refused_with_what_to_do(store, name, role, password, message):
    with pytest.raises(StoreError, match=message):
        store.create_user(name, role, password)


# --- the audit log and proof of play --------------------------------------------------------


def test_the_audit_log_is_append_only_and_masks_secrets(store):
    store.audit("lan", "editor", "playlist.save", target="welcome", revision=3, detail={"items": 4})
    [entry] = store.audit_log()
    assert (entry.actor, entry.action, entry.target, entry.revision, entry.detail) == (
        "lan", "playlist.save", "welcome", 3, {"items": 4})
    for statement in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            with store._write() as db:
                db.execute(statement)
    # A careless caller cannot leak a token or fail its request: secrets are masked.
    store.audit("ops", "admin", "token.create",
                detail={"note": "made sgn_Ab-9_xYz for the Password form"})
    assert store.audit_log()[-1].detail == {"note": "made [redacted] for the [redacted] form"}
    assert "Ab-9_xYz" not in repr(store.audit_log())


def test_plays_are_stored_in_batches_and_summed_per_month(store, clock):
    from signage.store.database import Play

    start = dt.datetime(2027, 2, 6, 8, 0, tzinfo=dt.timezone.utc)
    plays = [Play(start + dt.timedelta(seconds=10 * i), start + dt.timedelta(seconds=10 * i + 10),
                  "main", "tet", i % 2, "message", f"item {i % 2}", 5, "ab" * 32) for i in range(6)]
    assert store.record_plays(plays) == 6
    window = store.plays(start + dt.timedelta(seconds=15), start + dt.timedelta(seconds=35))
    assert [p.item for p in window] == [1, 0, 1]  # 10-20, 20-30, 30-40 overlap 15-35
    summary = store.play_summary("2027-02")
    assert [(row["item"], row["plays"], row["seconds"]) for row in summary] == [(0, 3, 30.0), (1, 3, 30.0)]
    assert store.play_summary("2027-03") == []


# --- the approval workflow (schema version 5) -------------------------------------------


def live_text(store) -> str:
    return store.live_content().playlist.items[0].text.vi


def submitted_draft(store, vi="Bản nháp", author="lan", **kwargs) -> int:
    draft = store.save_draft("playlist", message_playlist(vi=vi, **kwargs), author, role="editor")
    store.submit(draft, author, role="editor")
    return draft


def test_a_draft_is_not_live_until_an_approver_approves_it(store):
    first = store.publish_playlist(message_playlist(vi="Đang chiếu"), "import")
    draft = store.save_draft("playlist", message_playlist(vi="Bản nháp"), "lan", role="editor")
    store.save_draft("playlist", message_playlist(name="night"), "lan", role="editor")

    assert store.live_revision() == first and live_text(store) == "Đang chiếu"
    assert store.playlist_names() == ["welcome"]  # a draft of a new playlist is not listed
    submitted = store.submit(draft, "lan", role="editor")
    assert (submitted.state, submitted.submitted_by, store.live_revision()) == ("submitted", "lan", first)

    approved = store.approve(draft, "minh", "approver")

    assert (approved.state, approved.decided_by, approved.live) == ("approved", "minh", True)
    assert store.live_revision() == draft and live_text(store) == "Bản nháp"


def test_approving_a_playlist_makes_it_the_active_one_and_a_schedule_the_followed_one(store):
    from signage.schedule.rules import Schedule

    store.publish_playlist(message_playlist(), "import")
    night = submitted_draft(store, vi="Đêm", name="night")
    store.approve(night, "minh", "approver")
    assert store.active_playlist() == "night"
    schedule = store.save_draft("schedule", Schedule.model_validate({"default": "night"}), "lan",
                                role="editor")
    assert store.live_schedule() is None
    store.submit(schedule, "lan", role="editor")
    store.approve(schedule, "minh", "approver")
    assert store.live_schedule()[0] == schedule


def test_the_author_may_not_approve_their_own_revision_unless_four_eyes_is_off(store):
    live = store.publish_playlist(message_playlist(vi="Đang chiếu"), "import")
    draft = submitted_draft(store, author="minh")

    with pytest.raises(FourEyesRefused, match="another approver"):
        store.approve(draft, "minh", "approver")

    assert store.revision(draft).state == "submitted" and store.live_revision() == live
    assert [e.action for e in store.audit_log()] == ["playlist.save", "playlist.submit"]
    assert store.approve(draft, "minh", "approver", four_eyes=False).live


@pytest.mark.parametrize("setup, step, allowed", [
    ([], "approve", "only a submitted revision can be approved: submit it first"),
    ([], "reject", "only a submitted revision can be rejected"),
    (["submit"], "submit", "only a draft revision can be submitted"),
    (["submit", "approve"], "reject", "approved; only a submitted revision"),
    (["submit", "reject"], "approve", "save a new draft with the changes asked for"),
], ids=["approve-a-draft", "reject-a-draft", "submit-twice", "reject-an-approved",
        "approve-a-rejected"])
def test_state_changes_that_are_not_allowed_say_what_is(store, setup, step, allowed):
    draft = store.save_draft("playlist", message_playlist(), "lan", role="editor")
    steps = {"submit": lambda: store.submit(draft, "lan", role="editor"),
             "approve": lambda: store.approve(draft, "minh", "approver"),
             "reject": lambda: store.reject(draft, "minh", "too long", role="approver")}
    for done in setup:
        steps[done]()
    before = store.revision(draft)

    with pytest.raises(RevisionConflict, match=allowed):
        steps[step]()

    assert store.revision(draft) == before


def test_a_rejection_needs_a_reason_and_keeps_it(store):
    draft = submitted_draft(store)
    with pytest.raises(RevisionConflict, match="needs a reason"):
        store.reject(draft, "minh", "  ", role="approver")
    rejected = store.reject(draft, "minh", "the Chinese line is missing a word", role="approver")
    assert (rejected.state, rejected.reason, rejected.live) == (
        "rejected", "the Chinese line is missing a word", False)
    with pytest.raises(RevisionNotFound, match="999"):
        store.reject(999, "minh", "no such thing", role="approver")


def test_rollback_restores_an_earlier_revision_and_the_list_keeps_every_one(store):
    first = store.publish_playlist(message_playlist(vi="Một"), "import")
    second = submitted_draft(store, vi="Hai")
    store.approve(second, "minh", "approver")
    turned_down = submitted_draft(store, vi="Ba")
    store.reject(turned_down, "minh", "wrong date", role="approver")

    back = store.rollback("playlist", "welcome", first, "minh", role="approver")

    assert back.live and store.live_revision() == first and live_text(store) == "Một"
    listed = store.revisions("playlist", "welcome")
    assert [(r.id, r.state, r.live) for r in listed] == [
        (turned_down, "rejected", False), (second, "approved", False), (first, "approved", True)]
    assert store.rollback("playlist", "welcome", second, "minh", role="approver").live  # and forward
    assert live_text(store) == "Hai"


@pytest.mark.parametrize("target, message", [
    ("live", "is live already"), ("rejected", "is rejected; only a revision approved before"),
    ("other-name", "belongs to playlist 'night'"),
])
def test_rollback_refuses_what_cannot_be_rolled_back_to(store, target, message):
    live = store.publish_playlist(message_playlist(), "import")
    night = store.publish_playlist(message_playlist(name="night"), "import", activate=False)
    rejected = submitted_draft(store)
    store.reject(rejected, "minh", "no", role="approver")
    to = {"live": live, "rejected": rejected, "other-name": night}[target]

    with pytest.raises(RevisionConflict, match=message):
        store.rollback("playlist", "welcome", to, "minh", role="approver")

    assert store.live_revision() == live


def test_rollback_to_a_revision_whose_picture_was_deleted_is_refused(store):
    ref = store.add_asset(png_bytes())
    with_picture = store.publish_playlist(message_playlist(background=ref), "import")
    plain = store.publish_playlist(message_playlist(), "import")
    store.delete_asset(ref)

    with pytest.raises(AssetMissing, match=ref):
        store.rollback("playlist", "welcome", with_picture, "minh", role="approver")

    assert store.live_revision() == plain
    store.add_asset(png_bytes())  # uploaded again: the rollback works and holds it again
    store.rollback("playlist", "welcome", with_picture, "minh", role="approver")
    with pytest.raises(AssetInUse):
        store.delete_asset(ref)


def test_a_draft_naming_a_missing_asset_is_refused(store):
    ghost = "sha256:" + "0" * 64
    with pytest.raises(AssetMissing):
        store.save_draft("playlist", message_playlist(background=ghost), "lan", role="editor")
    with pytest.raises(StoreError, match="validated Playlist"):
        store.save_draft("playlist", {"name": "welcome"}, "lan", role="editor")
    assert store.revisions() == []


def test_every_step_is_in_the_audit_log_with_who_and_which_revision(store, clock):
    first = store.publish_playlist(message_playlist(vi="Một"), "import", role="cli")
    draft = submitted_draft(store)
    store.approve(draft, "minh", "approver")
    other = submitted_draft(store, vi="Ba")
    store.reject(other, "minh", "the password slide must not go up", role="approver")
    store.rollback("playlist", "welcome", first, "minh", role="approver")

    log = [(e.actor, e.role, e.action, e.revision) for e in store.audit_log()]

    assert log == [
        ("import", "cli", "playlist.publish", first),
        ("lan", "editor", "playlist.save", draft), ("lan", "editor", "playlist.submit", draft),
        ("minh", "approver", "playlist.approve", draft),
        ("lan", "editor", "playlist.save", other), ("lan", "editor", "playlist.submit", other),
        ("minh", "approver", "playlist.reject", other),
        ("minh", "approver", "playlist.rollback", first),
    ]
    reject = store.audit_log()[6]
    assert reject.detail == {"reason": "the [redacted] slide must not go up"}
    assert store.revision(other).reason == "the password slide must not go up"


def test_a_step_whose_audit_entry_cannot_be_written_changes_nothing(store, monkeypatch):
    live = store.publish_playlist(message_playlist(vi="Một"), "import")
    draft = submitted_draft(store, vi="Hai")

    def broken_audit(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "audit", broken_audit)
    with pytest.raises(sqlite3.OperationalError):
        store.approve(draft, "minh", "approver")

    assert store.revision(draft).state == "submitted" and store.live_revision() == live


def test_import_is_in_the_audit_log_as_the_cli(store):
    import_paths(store, [SAMPLES])
    entries = store.audit_log()
    assert {(e.actor, e.role) for e in entries} == {("import", "cli")}
    actions = [(e.action, e.target) for e in entries]
    assert ("playlist.publish", "welcome") in actions and ("schedule.publish", "gate") in actions
    assert actions[-1] == ("playlist.activate", "welcome")


def test_emergencies_are_in_the_audit_log_without_their_text(store, clock):
    from signage.content.models import Message

    notice = store.add_emergency(Message(vi="Đóng cửa", en="Closed: password 1234", zh="关闭"),
                                 clock.now() + dt.timedelta(hours=1), "minh", role="approver")
    store.cancel_emergency(notice.id, "minh", role="approver")
    store.cancel_emergency(notice.id, "minh", role="approver")  # already over: no second entry

    entries = store.audit_log()
    assert [(e.actor, e.role, e.action, e.target) for e in entries] == [
        ("minh", "approver", "emergency.create", f"emergency {notice.id}"),
        ("minh", "approver", "emergency.cancel", f"emergency {notice.id}")]
    assert entries[0].detail["priority"] == 100 and "Closed" not in str(entries[0].detail)



def test_importing_only_a_schedule_with_no_active_playlist_works(store, tmp_path):
    store.publish_playlist(message_playlist("welcome"), "tester", activate=False)
    (tmp_path / "schedule.yaml").write_text("default: welcome\n")
    [imported] = import_paths(store, [tmp_path / "schedule.yaml"])
    assert imported.kind == "schedule" and store.live_schedule()[1].default == "welcome"
