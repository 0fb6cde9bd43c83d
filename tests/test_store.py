"""The store: revisions publish whole or not at all; assets once by sha256; hashed tokens."""

import datetime as dt
import hashlib
import io
import sqlite3
import threading

import pytest
from PIL import Image

from signage.errors import AssetMissing, StoreError
from signage.services.importer import import_paths
from signage.content.documents import DocumentError
from signage.content.models import Playlist
from signage.store import Store
from signage.store.access import Principal
from signage.store.assets import AssetInUse
from signage.store.revisions import FourEyesRefused, RevisionConflict, RevisionNotFound
from tests.conftest import SAMPLES, add_image


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
    assert store.content.live_content() is None
    revision = store.content.publish_playlist(message_playlist(vi="Một"), "tester")
    live = store.content.live_content()
    assert live.revision == revision and live.playlist.items[0].text.vi == "Một"
    newer = store.content.publish_playlist(message_playlist(vi="Hai"), "tester")
    assert newer > revision and store.content.live_content().playlist.items[0].text.vi == "Hai"


def test_assets_are_stored_once_by_content_hash(store):
    data = png_bytes()
    ref = add_image(store, data, "photo.png")
    assert ref == "sha256:" + hashlib.sha256(data).hexdigest()
    assert add_image(store, data, "another-name.png") == ref
    assert store.assets.path(ref).read_bytes() == data
    assert len(list(store.assets.dir.rglob("*"))) == 2  # one folder, one file


def test_jpeg_and_webp_are_accepted(store):
    for fmt in ("JPEG", "WEBP"):
        assert add_image(store, png_bytes(fmt=fmt)).startswith("sha256:")


def test_a_revision_naming_a_missing_asset_is_not_published(store):
    store.content.publish_playlist(message_playlist(vi="Cũ"), "tester")
    ghost = "sha256:" + "0" * 64
    with pytest.raises(AssetMissing):
        store.content.publish_playlist(message_playlist(vi="Mới", background=ghost), "tester")
    assert store.content.live_content().playlist.items[0].text.vi == "Cũ"


def test_a_revision_whose_asset_file_vanished_is_not_published(store):
    ref = add_image(store, png_bytes())
    store.assets.path(ref).unlink()
    with pytest.raises(AssetMissing):
        store.content.publish_playlist(message_playlist(background=ref), "tester")
    assert store.content.live_content() is None


def test_assets_are_listed_newest_first_with_their_labels(store, clock):
    first = add_image(store, png_bytes(), "first.png")
    clock.advance(60)
    second = add_image(store, png_bytes(colour=(0, 0, 200)), None)

    listed = store.assets.all()

    assert [(a.ref, a.original_name) for a in listed] == [(second, None), (first, "first.png")]
    assert listed[1].as_dict()["id"] == first and (listed[1].width, listed[1].height) == (32, 16)
    assert store.assets.get(first) == listed[1] and store.assets.get("sha256:" + "0" * 64) is None


def test_deleting_an_asset_live_content_uses_is_refused_until_it_is_superseded(store):
    ref = add_image(store, png_bytes())
    store.content.publish_playlist(message_playlist(background=ref), "tester")
    with pytest.raises(AssetInUse) as in_use:
        store.assets.delete(ref)
    assert in_use.value.users == [("playlist", "welcome")]
    assert store.assets.path(ref).is_file()

    store.content.publish_playlist(message_playlist(), "tester")  # supersedes the one with the picture
    store.assets.delete(ref)

    assert not store.assets.has(ref) and not store.assets.path(ref).exists()
    with pytest.raises(AssetMissing):
        store.assets.delete(ref)


@pytest.mark.parametrize("state, blocks", [("draft", True), ("submitted", True),
                                           ("superseded", False), ("rejected", False)])
def test_deleting_respects_pending_revisions(store, state, blocks):
    ref = add_image(store, png_bytes())
    store.content.publish_playlist(message_playlist(), "tester")
    draft = store.revisions.save_draft("playlist", message_playlist(background=ref), "lan", role="editor")
    if state != "draft":
        store.revisions.submit(draft, "lan", role="editor")
    if state == "rejected":
        store.revisions.reject(draft, "minh", "the picture is blurred", role="approver")
    if state == "superseded":
        store.revisions.approve(draft, "minh", "approver")
        store.content.publish_playlist(message_playlist(), "tester")

    if blocks:
        with pytest.raises(AssetInUse):
            store.assets.delete(ref)
    else:
        store.assets.delete(ref)
    assert store.assets.has(ref) is blocks


def test_readers_see_old_or_new_revision_never_a_mix(store, settings):
    """A second connection reading while revisions publish sees only whole revisions."""
    reader = Store(settings.data_dir)
    seen = []
    stop = threading.Event()

    def read():
        while not stop.is_set():
            live = reader.content.live_content()
            if live:
                seen.append((live.revision, live.playlist.items[0].text.vi))

    thread = threading.Thread(target=read)
    thread.start()
    published = {store.content.publish_playlist(message_playlist(vi=f"Bản {n}"), "t"): f"Bản {n}" for n in range(30)}
    stop.set()
    thread.join()
    assert seen and all(published[rev] == text for rev, text in seen)


def test_data_version_changes_when_another_process_publishes(store, settings):
    other = Store(settings.data_dir)
    before = store.database.data_version()
    other.content.publish_playlist(message_playlist(), "other")
    assert store.database.data_version() != before


def test_tokens_are_stored_only_as_hashes(store, settings):
    token = store.access.create_token("ops", "admin")
    assert store.access.verify_token(token).name == "ops"
    raw = settings.db_path.read_bytes() + b"".join(
        p.read_bytes() for p in settings.data_dir.glob("signage.db-*"))
    assert token.encode() not in raw
    assert store.access.verify_token(token + "x") is None
    assert store.access.verify_token("") is None
    store.access.revoke_token("ops")
    assert store.access.verify_token(token) is None


def test_token_names_are_unique_and_roles_known(store):
    store.access.create_token("ops", "admin")
    with pytest.raises(StoreError, match="exists"):
        store.access.create_token("ops", "admin")
    with pytest.raises(StoreError, match="role"):
        store.access.create_token("x", "superuser")


def test_desired_state_survives_reopening(settings, clock):
    first = Store(settings.data_dir, clock)
    revision = first.content.publish_playlist(message_playlist(), "t")
    first.close()
    assert Store(settings.data_dir, clock).content.live_content().revision == revision


def test_import_stores_images_and_rewrites_paths(store):
    imported = import_paths(store, [SAMPLES])
    assert {(i.kind, i.name) for i in imported} == {
        ("playlist", "welcome"), ("playlist", "night"), ("playlist", "tet"),
        ("playlist", "opening-hours"), ("playlist", "customs-campaign"), ("playlist", "gate-board"),
        ("playlist", "notices"),
        ("schedule", "gate")}
    assert imported[-1].kind == "schedule"  # after the playlists it names
    assert store.content.active_playlist() == "welcome"
    assert store.content.live_schedule()[1].default == "welcome"
    live = store.content.live_content()
    refs = live.playlist.asset_refs()
    assert refs and all(r.startswith("sha256:") and store.assets.path(r).is_file() for r in refs)


def test_a_schedule_naming_a_playlist_that_is_not_imported_is_refused(store, tmp_path):
    (tmp_path / "schedule.yaml").write_text("default: welcome\nrules:\n  - name: late\n"
                                            "    playlist: ghost\n    time: '22:00-23:00'\n")
    with pytest.raises(DocumentError) as refused:
        import_paths(store, [SAMPLES / "welcome.yaml", tmp_path / "schedule.yaml"])
    [problem] = refused.value.problems
    assert problem.path == "rules[0].playlist" and "ghost" in problem.reason and problem.line == 4
    assert store.content.live_schedule() is None


def test_import_keeps_the_active_choice_and_can_switch(store):
    import_paths(store, [SAMPLES])
    import_paths(store, [SAMPLES / "night.yaml"])
    assert store.content.active_playlist() == "welcome"
    import_paths(store, [SAMPLES], activate="night")
    assert store.content.live_content().playlist.name == "night"


def test_import_refuses_a_file_that_is_not_an_image(store, tmp_path):
    (tmp_path / "fake.png").write_text("not a picture")
    playlist = tmp_path / "p.yaml"
    playlist.write_text("name: p\nitems:\n  - kind: image\n    asset: fake.png\n")
    with pytest.raises(DocumentError) as caught:
        import_paths(store, [playlist])
    problem, = caught.value.problems
    assert (problem.path, problem.line) == ("items[0].asset", 4)
    assert "fake.png is not a readable PNG" in problem.reason
    assert store.content.live_content() is None


# --- schema version 2: emergencies, overrides, the newest time seen ------------------


def test_a_version_1_database_is_migrated_without_losing_content(settings, clock):
    """A box updated in the field keeps its playlists, and foreign keys still hold."""
    from signage.store import schema

    settings.data_dir.mkdir(parents=True)
    db = sqlite3.connect(settings.db_path)
    for statement in schema.statements(schema.MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version=1")
    body = message_playlist(vi="Cũ").model_dump_json()
    db.execute("INSERT INTO revisions VALUES (7, 'playlist', 'welcome', ?, 'old', '2026-01-01')", (body,))
    db.execute("INSERT INTO live VALUES ('playlist', 'welcome', 7)")
    db.execute("INSERT INTO desired VALUES ('active_playlist', '\"welcome\"', '2026-01-01')")
    db.commit()
    db.close()

    store = Store(settings.data_dir, clock)
    live = store.content.live_content()
    assert (live.revision, live.playlist.items[0].text.vi) == (7, "Cũ")
    assert store.content.publish_playlist(message_playlist(vi="Mới"), "tester") == 8
    old = store.revisions.get(7)  # published before the workflow existed: approved by its author
    assert (old.state, old.decided_by, old.live) == ("approved", "old", False)
    with pytest.raises(StoreError) as refused:  # revision_assets still checks its revision
        with store.database.write() as db:
            db.execute("INSERT INTO revision_assets VALUES (999, 'nothing')")
    assert isinstance(refused.value.__cause__, sqlite3.IntegrityError)
    store.close()


def test_emergency_messages_are_kept_until_cancelled_or_expired(store, clock):
    from signage.content.models import Message

    now = clock.now()
    text = Message(vi="Cửa khẩu tạm đóng", en="Gate closed", zh="口岸暂时关闭")
    low = store.desired.add_emergency(text, now + dt.timedelta(hours=1), "duty officer", priority=50)
    high = store.desired.add_emergency(text, now + dt.timedelta(minutes=5), "duty officer", priority=90)
    assert [e.id for e in store.desired.emergencies(current_at=now)] == [high.id, low.id]
    assert high.active(now) and not high.active(now + dt.timedelta(minutes=5))
    assert [e.id for e in store.desired.emergencies(current_at=now + dt.timedelta(minutes=6))] == [low.id]
    cancelled = store.desired.cancel_emergency(low.id, "supervisor")
    assert cancelled.cancelled_by == "supervisor" and not cancelled.active(now)
    assert store.desired.emergencies(current_at=now + dt.timedelta(minutes=6)) == []
    assert len(store.desired.emergencies()) == 2  # the record stays for the log
    with pytest.raises(StoreError, match="after starts_at"):
        store.desired.add_emergency(text, now, "duty officer")
    with pytest.raises(StoreError, match="no emergency message has id 999"):
        store.desired.cancel_emergency(999, "x")


def test_overrides_expire_by_themselves(store, clock):
    now = clock.now()
    store.desired.set_override("brightness", 40, "technician", now + dt.timedelta(minutes=30))
    store.desired.set_override("power", False, "technician")
    assert store.desired.overrides(active_at=now)["brightness"].value == 40
    later = store.desired.overrides(active_at=now + dt.timedelta(minutes=31))
    assert set(later) == {"power"} and later["power"].value is False
    store.desired.clear_override("power")
    assert set(store.desired.overrides()) == {"brightness"}
    with pytest.raises(StoreError, match="choose one of brightness, power, test_pattern"):
        store.desired.set_override("volume", 3, "technician")


def test_the_newest_time_seen_only_moves_forward(store, clock):
    assert store.desired.newest_seen_time() is None
    store.desired.record_seen_time(clock.now())
    store.desired.record_seen_time(clock.now() - dt.timedelta(days=400))  # a clock set back
    assert store.desired.newest_seen_time() == clock.now()


# --- people, sessions and roles ----------------------------------------------------------


def test_a_person_logs_in_for_a_short_session_and_the_password_is_kept_only_as_scrypt(
        store, clock, settings):
    store.access.create_user("lan", "editor", "correct horse battery")
    assert store.access.login("lan", "wrong password here") is None
    assert store.access.login("nobody", "correct horse battery") is None
    token, expires = store.access.login("lan", "correct horse battery")
    assert token.startswith("sgs_") and expires == clock.now() + dt.timedelta(hours=1)
    assert store.access.verify_credential(token) == Principal("lan", "editor", "user")
    raw = settings.db_path.read_bytes() + (settings.db_path.parent / "signage.db-wal").read_bytes()
    assert b"correct horse" not in raw and token.encode() not in raw
    assert b"scrypt$16384$8$1$" in raw
    clock.advance(3601)
    assert store.access.verify_credential(token) is None  # expired


def test_disabling_a_person_ends_their_sessions(store):
    store.access.create_user("minh", "approver", "a long enough password")
    token, _ = store.access.login("minh", "a long enough password")
    store.access.disable_user("minh")
    assert store.access.verify_credential(token) is None
    assert store.access.login("minh", "a long enough password") is None


@pytest.mark.parametrize("name, role, password, message", [
    ("x y", "editor", "a long enough password", "needs a name"),
    ("hoa", "boss", "a long enough password", "choose one of editor, approver, technician, admin"),
    ("hoa", "editor", "short", "at least 12 characters"),
])
def test_bad_people_are_refused_with_what_to_do(store, name, role, password, message):
    with pytest.raises(StoreError, match=message):
        store.access.create_user(name, role, password)


# --- the audit log and proof of play --------------------------------------------------------


def test_the_audit_log_is_append_only_and_masks_secrets(store):
    store.records.audit("lan", "editor", "playlist.save", target="welcome", revision=3, detail={"items": 4})
    [entry] = store.records.audit_log()
    assert (entry.actor, entry.action, entry.target, entry.revision, entry.detail) == (
        "lan", "playlist.save", "welcome", 3, {"items": 4})
    for statement in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(StoreError, match="append-only") as refused:
            with store.database.write() as db:
                db.execute(statement)
        assert isinstance(refused.value.__cause__, sqlite3.IntegrityError)
    # A careless caller cannot leak a token or fail its request: secrets are masked.
    store.records.audit("ops", "admin", "token.create",
                        detail={"note": "made sgn_Ab-9_xYz for the Password form"})
    assert store.records.audit_log()[-1].detail == {"note": "made [redacted] for the Password [redacted]"}
    assert "Ab-9_xYz" not in repr(store.records.audit_log())


def test_plays_are_stored_in_batches_and_summed_per_month(store, clock):
    from signage.store.records import Play

    start = dt.datetime(2027, 2, 6, 8, 0, tzinfo=dt.timezone.utc)
    plays = [Play(start + dt.timedelta(seconds=10 * i), start + dt.timedelta(seconds=10 * i + 10),
                  "main", "tet", i % 2, "message", f"item {i % 2}", 5, "ab" * 32) for i in range(6)]
    assert store.records.record_plays(plays) == 6
    window = store.records.plays(start + dt.timedelta(seconds=15), start + dt.timedelta(seconds=35))
    assert [p.item for p in window] == [1, 0, 1]  # 10-20, 20-30, 30-40 overlap 15-35
    feb, mar, apr = (dt.datetime(2027, m, 1, tzinfo=dt.timezone.utc) for m in (2, 3, 4))
    summary = store.records.play_summary(feb, mar)
    assert [(row["item"], row["plays"], row["seconds"]) for row in summary] == [(0, 3, 30.0), (1, 3, 30.0)]
    assert store.records.play_summary(mar, apr) == []


# --- the approval workflow (schema version 5) -------------------------------------------


def live_text(store) -> str:
    return store.content.live_content().playlist.items[0].text.vi


def submitted_draft(store, vi="Bản nháp", author="lan", **kwargs) -> int:
    draft = store.revisions.save_draft("playlist", message_playlist(vi=vi, **kwargs), author, role="editor")
    store.revisions.submit(draft, author, role="editor")
    return draft


def test_a_draft_is_not_live_until_an_approver_approves_it(store):
    first = store.content.publish_playlist(message_playlist(vi="Đang chiếu"), "import")
    draft = store.revisions.save_draft("playlist", message_playlist(vi="Bản nháp"), "lan", role="editor")
    store.revisions.save_draft("playlist", message_playlist(name="night"), "lan", role="editor")

    assert store.content.live_revision() == first and live_text(store) == "Đang chiếu"
    assert store.content.playlist_names() == ["welcome"]  # a draft of a new playlist is not listed
    submitted = store.revisions.submit(draft, "lan", role="editor")
    assert (submitted.state, submitted.submitted_by, store.content.live_revision()) == ("submitted", "lan", first)

    approved = store.revisions.approve(draft, "minh", "approver")

    assert (approved.state, approved.decided_by, approved.live) == ("approved", "minh", True)
    assert store.content.live_revision() == draft and live_text(store) == "Bản nháp"


def test_approving_a_playlist_makes_it_the_active_one_and_a_schedule_the_followed_one(store):
    from signage.schedule.rules import Schedule

    store.content.publish_playlist(message_playlist(), "import")
    night = submitted_draft(store, vi="Đêm", name="night")
    store.revisions.approve(night, "minh", "approver")
    assert store.content.active_playlist() == "night"
    schedule = store.revisions.save_draft("schedule", Schedule.model_validate({"default": "night"}), "lan",
                                role="editor")
    assert store.content.live_schedule() is None
    store.revisions.submit(schedule, "lan", role="editor")
    store.revisions.approve(schedule, "minh", "approver")
    assert store.content.live_schedule()[0] == schedule


def test_the_author_may_not_approve_their_own_revision_unless_four_eyes_is_off(store):
    live = store.content.publish_playlist(message_playlist(vi="Đang chiếu"), "import")
    draft = submitted_draft(store, author="minh")

    with pytest.raises(FourEyesRefused, match="another approver"):
        store.revisions.approve(draft, "minh", "approver")

    assert store.revisions.get(draft).state == "submitted" and store.content.live_revision() == live
    assert [e.action for e in store.records.audit_log()] == ["playlist.save", "playlist.submit"]
    assert store.revisions.approve(draft, "minh", "approver", four_eyes=False).live


@pytest.mark.parametrize("setup, step, allowed", [
    ([], "approve", "only a submitted revision can be approved: submit it first"),
    ([], "reject", "only a submitted revision can be rejected"),
    (["submit"], "submit", "only a draft revision can be submitted"),
    (["submit", "approve"], "reject", "approved; only a submitted revision"),
    (["submit", "reject"], "approve", "save a new draft with the changes asked for"),
], ids=["approve-a-draft", "reject-a-draft", "submit-twice", "reject-an-approved",
        "approve-a-rejected"])
def test_state_changes_that_are_not_allowed_say_what_is(store, setup, step, allowed):
    draft = store.revisions.save_draft("playlist", message_playlist(), "lan", role="editor")
    steps = {"submit": lambda: store.revisions.submit(draft, "lan", role="editor"),
             "approve": lambda: store.revisions.approve(draft, "minh", "approver"),
             "reject": lambda: store.revisions.reject(draft, "minh", "too long", role="approver")}
    for done in setup:
        steps[done]()
    before = store.revisions.get(draft)

    with pytest.raises(RevisionConflict, match=allowed):
        steps[step]()

    assert store.revisions.get(draft) == before


def test_a_rejection_needs_a_reason_and_keeps_it(store):
    draft = submitted_draft(store)
    with pytest.raises(RevisionConflict, match="needs a reason"):
        store.revisions.reject(draft, "minh", "  ", role="approver")
    rejected = store.revisions.reject(draft, "minh", "the Chinese line is missing a word", role="approver")
    assert (rejected.state, rejected.reason, rejected.live) == (
        "rejected", "the Chinese line is missing a word", False)
    with pytest.raises(RevisionNotFound, match="999"):
        store.revisions.reject(999, "minh", "no such thing", role="approver")


def test_rollback_restores_an_earlier_revision_and_the_list_keeps_every_one(store):
    first = store.content.publish_playlist(message_playlist(vi="Một"), "import")
    second = submitted_draft(store, vi="Hai")
    store.revisions.approve(second, "minh", "approver")
    turned_down = submitted_draft(store, vi="Ba")
    store.revisions.reject(turned_down, "minh", "wrong date", role="approver")

    back = store.revisions.rollback("playlist", "welcome", first, "minh", role="approver")

    assert back.live and store.content.live_revision() == first and live_text(store) == "Một"
    listed = store.revisions.all("playlist", "welcome")
    assert [(r.id, r.state, r.live) for r in listed] == [
        (turned_down, "rejected", False), (second, "approved", False), (first, "approved", True)]
    assert store.revisions.rollback("playlist", "welcome", second, "minh", role="approver").live  # and forward
    assert live_text(store) == "Hai"


@pytest.mark.parametrize("target, message", [
    ("live", "is live already"), ("rejected", "is rejected; only a revision approved before"),
    ("other-name", "belongs to playlist 'night'"),
])
def test_rollback_refuses_what_cannot_be_rolled_back_to(store, target, message):
    live = store.content.publish_playlist(message_playlist(), "import")
    night = store.content.publish_playlist(message_playlist(name="night"), "import", activate=False)
    rejected = submitted_draft(store)
    store.revisions.reject(rejected, "minh", "no", role="approver")
    to = {"live": live, "rejected": rejected, "other-name": night}[target]

    with pytest.raises(RevisionConflict, match=message):
        store.revisions.rollback("playlist", "welcome", to, "minh", role="approver")

    assert store.content.live_revision() == live


def test_rollback_to_a_revision_whose_picture_was_deleted_is_refused(store):
    ref = add_image(store, png_bytes())
    with_picture = store.content.publish_playlist(message_playlist(background=ref), "import")
    plain = store.content.publish_playlist(message_playlist(), "import")
    store.assets.delete(ref)

    with pytest.raises(AssetMissing, match=ref):
        store.revisions.rollback("playlist", "welcome", with_picture, "minh", role="approver")

    assert store.content.live_revision() == plain
    add_image(store, png_bytes())  # uploaded again: the rollback works and holds it again
    store.revisions.rollback("playlist", "welcome", with_picture, "minh", role="approver")
    with pytest.raises(AssetInUse):
        store.assets.delete(ref)


def test_a_draft_naming_a_missing_asset_is_refused(store):
    ghost = "sha256:" + "0" * 64
    with pytest.raises(AssetMissing):
        store.revisions.save_draft("playlist", message_playlist(background=ghost), "lan", role="editor")
    with pytest.raises(StoreError, match="validated Playlist"):
        store.revisions.save_draft("playlist", {"name": "welcome"}, "lan", role="editor")
    assert store.revisions.all() == []


def test_every_step_is_in_the_audit_log_with_who_and_which_revision(store, clock):
    first = store.content.publish_playlist(message_playlist(vi="Một"), "import", role="cli")
    draft = submitted_draft(store)
    store.revisions.approve(draft, "minh", "approver")
    other = submitted_draft(store, vi="Ba")
    store.revisions.reject(other, "minh", "the password slide must not go up", role="approver")
    store.revisions.rollback("playlist", "welcome", first, "minh", role="approver")

    log = [(e.actor, e.role, e.action, e.revision) for e in store.records.audit_log()]

    assert log == [
        ("import", "cli", "playlist.publish", first),
        ("lan", "editor", "playlist.save", draft), ("lan", "editor", "playlist.submit", draft),
        ("minh", "approver", "playlist.approve", draft),
        ("lan", "editor", "playlist.save", other), ("lan", "editor", "playlist.submit", other),
        ("minh", "approver", "playlist.reject", other),
        ("minh", "approver", "playlist.rollback", first),
    ]
    reject = store.records.audit_log()[6]
    assert reject.detail == {"reason": "the password [redacted] must not go up"}
    assert store.revisions.get(other).reason == "the password [redacted] must not go up"


def test_a_step_whose_audit_entry_cannot_be_written_changes_nothing(store, monkeypatch):
    live = store.content.publish_playlist(message_playlist(vi="Một"), "import")
    draft = submitted_draft(store, vi="Hai")

    def broken_audit(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store.records, "audit", broken_audit)
    with pytest.raises(StoreError) as failed:  # the database's error, at the store's edge
        store.revisions.approve(draft, "minh", "approver")
    assert isinstance(failed.value.__cause__, sqlite3.OperationalError)

    assert store.revisions.get(draft).state == "submitted" and store.content.live_revision() == live


def test_import_is_in_the_audit_log_as_the_cli(store):
    import_paths(store, [SAMPLES])
    entries = store.records.audit_log()
    assert {(e.actor, e.role) for e in entries} == {("import", "cli")}
    actions = [(e.action, e.target) for e in entries]
    assert ("playlist.publish", "welcome") in actions and ("schedule.publish", "gate") in actions
    assert actions[-1] == ("playlist.activate", "welcome")


def test_emergencies_are_in_the_audit_log_without_their_text(store, clock):
    from signage.content.models import Message

    notice = store.desired.add_emergency(Message(vi="Đóng cửa", en="Closed: password 1234", zh="关闭"),
                                 clock.now() + dt.timedelta(hours=1), "minh", role="approver")
    store.desired.cancel_emergency(notice.id, "minh", role="approver")
    store.desired.cancel_emergency(notice.id, "minh", role="approver")  # already over: no second entry

    entries = store.records.audit_log()
    assert [(e.actor, e.role, e.action, e.target) for e in entries] == [
        ("minh", "approver", "emergency.create", f"emergency {notice.id}"),
        ("minh", "approver", "emergency.cancel", f"emergency {notice.id}")]
    assert entries[0].detail["priority"] == 100 and "Closed" not in str(entries[0].detail)



def test_importing_only_a_schedule_with_no_active_playlist_works(store, tmp_path):
    store.content.publish_playlist(message_playlist("welcome"), "tester", activate=False)
    (tmp_path / "schedule.yaml").write_text("default: welcome\n")
    [imported] = import_paths(store, [tmp_path / "schedule.yaml"])
    assert imported.kind == "schedule" and store.content.live_schedule()[1].default == "welcome"


def test_import_stores_a_cards_logo_too(store):
    import_paths(store, [SAMPLES / "notices.yaml"])
    playlist = store.content.live_content().playlist
    logos = [item.logo for item in playlist.items if item.logo]
    assert logos and all(ref.startswith("sha256:") and store.assets.path(ref).is_file()
                         for ref in logos)
