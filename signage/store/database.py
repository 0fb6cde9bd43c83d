"""The only code that reads or writes signage.db and the asset files.

Desired state (content revisions, the active playlist, later schedules and overrides)
lives in SQLite in WAL mode, so the API can write while the player reads. Assets are
files named by their sha256, written (temp + fsync + rename) before the database row
that names them is committed; a foreign key from each revision to its assets makes a
revision whose assets are missing impossible to publish.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import threading
from pathlib import Path

# The image checks live in signage.media.images (shared with uploads); re-exported here.
from signage.media.images import ACCEPTED_IMAGE_FORMATS, MAX_ASSET_BYTES, MAX_ASSET_PIXELS, inspect_image  # noqa: F401
from signage.clock import Clock, SystemClock, utc_text
from signage.content.controls import PanelSetting
from signage.content.documents import dump_json
from signage.errors import AssetMissing, ContentError, StoreError
from signage.content.models import Message, Playlist, is_stored_ref
# Re-exported: callers know these as part of the store.
from signage.store.access import ROLES, TOKEN_PREFIX, AccessMixin, Principal, TokenInfo, UserInfo  # noqa: F401
from signage.store.records import AuditEntry, Play, RecordsMixin  # noqa: F401
from signage.store.revisions import (FourEyesRefused, RevisionConflict, RevisionInfo,  # noqa: F401
                                     RevisionNotFound, RevisionsMixin)

_MIGRATIONS = [
    """
    CREATE TABLE assets (
        sha256 TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        original_name TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('playlist')),
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE revision_assets (
        revision INTEGER NOT NULL REFERENCES revisions(id),
        sha256 TEXT NOT NULL REFERENCES assets(sha256),
        PRIMARY KEY (revision, sha256)
    );
    CREATE TABLE live (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        revision INTEGER NOT NULL REFERENCES revisions(id),
        PRIMARY KEY (kind, name)
    );
    CREATE TABLE desired (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    """,
    # 2: schedules are revisions too; emergency messages; technician overrides with an
    # expiry; the newest wall time the player has seen (for trusting the clock).
    """
    CREATE TABLE revisions_v2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('playlist', 'schedule')),
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    INSERT INTO revisions_v2 SELECT id, kind, name, body, author, created_at FROM revisions;
    DROP TABLE revisions;
    ALTER TABLE revisions_v2 RENAME TO revisions;
    CREATE TABLE emergencies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message TEXT NOT NULL,
        priority INTEGER NOT NULL,
        starts_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        cancelled_at TEXT,
        cancelled_by TEXT
    );
    CREATE TABLE overrides (
        kind TEXT PRIMARY KEY CHECK (kind IN ('brightness', 'power', 'test_pattern')),
        value TEXT NOT NULL,
        expires_at TEXT,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    CREATE TABLE clock_seen (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        newest TEXT NOT NULL
    );
    """,
    # 3: people and their sessions; roles for existing tokens stay as they were.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled_at TEXT
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id),
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT
    );
    """,
    # 4: the append-only audit log, and proof of play.
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        revision INTEGER,
        detail TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE plays (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        zone TEXT NOT NULL,
        playlist TEXT,
        item INTEGER,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        revision INTEGER,
        frame_sha256 TEXT
    );
    CREATE INDEX plays_by_start ON plays (started_at);
    """,
    # 5: the approval workflow. Every revision has a state; those published before it
    # existed went live directly, so they count as approved by their author.
    """
    ALTER TABLE revisions ADD COLUMN state TEXT NOT NULL DEFAULT 'approved'
        CHECK (state IN ('draft', 'submitted', 'approved', 'rejected'));
    ALTER TABLE revisions ADD COLUMN submitted_by TEXT;
    ALTER TABLE revisions ADD COLUMN submitted_at TEXT;
    ALTER TABLE revisions ADD COLUMN decided_by TEXT;
    ALTER TABLE revisions ADD COLUMN decided_at TEXT;
    ALTER TABLE revisions ADD COLUMN reason TEXT;
    UPDATE revisions SET decided_by = author, decided_at = created_at;
    CREATE INDEX revisions_by_name ON revisions (kind, name, id);
    """,
    # 6: whether the wall clock could be believed while a play was on screen (plays
    # recorded before this was kept count as believed: nothing better is known).
    """
    ALTER TABLE plays ADD COLUMN clock_trusted INTEGER NOT NULL DEFAULT 1
        CHECK (clock_trusted IN (0, 1));
    """,
]


def _from_utc_text(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@dataclasses.dataclass(frozen=True)
class Emergency:
    """An urgent trilingual notice that takes over the panel from start to expiry."""

    id: int
    message: Message
    priority: int
    starts_at: dt.datetime
    expires_at: dt.datetime
    created_by: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancelled_by: str | None

    def active(self, now: dt.datetime) -> bool:
        return self.cancelled_at is None and self.starts_at <= now < self.expires_at

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["message"] = self.message.model_dump()
        for key, value in data.items():
            if isinstance(value, dt.datetime):
                data[key] = value.isoformat()
        return data


@dataclasses.dataclass(frozen=True)
class Override:
    """A technician's setting (brightness, power, test pattern) until it expires."""

    kind: str
    value: object
    expires_at: dt.datetime | None
    set_by: str
    set_at: dt.datetime

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclasses.dataclass(frozen=True)
class LiveContent:
    """What should be on screen: the active playlist at its live revision."""

    revision: int
    playlist: Playlist


class Store(AccessMixin, RecordsMixin, RevisionsMixin):
    def __init__(self, data_dir: Path, clock: Clock | None = None):
        self.data_dir = Path(data_dir)
        self.assets_dir = self.data_dir / "assets"
        self.clock = clock or SystemClock()
        self._lock = threading.RLock()
        try:
            self.assets_dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.data_dir / "signage.db", isolation_level=None, check_same_thread=False,
                timeout=10.0,
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # Content is written rarely and must survive a power cut once acknowledged.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the store in {self.data_dir}: {exc}; check SIGNAGE_DATA_DIR, that "
                "this user may write there, and that signage.db is not damaged"
            ) from exc

    # --- plumbing -------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(_MIGRATIONS):
                return
            # Rebuilding a table that others reference needs the foreign-key checks off
            # (SQLite's documented procedure); they are checked as a whole afterwards.
            self._db.execute("PRAGMA foreign_keys=OFF")
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                with self._write():
                    for statement in _statements(script):
                        self._db.execute(statement)
                    if self._db.execute("PRAGMA foreign_key_check").fetchall():
                        raise sqlite3.IntegrityError(f"migration {number} broke a foreign key")
                    self._db.execute(f"PRAGMA user_version={number}")
            self._db.execute("PRAGMA foreign_keys=ON")

    class _Transaction:
        def __init__(self, store: "Store"):
            self.store = store

        def __enter__(self):
            self.store._lock.acquire()
            self.store._db.execute("BEGIN IMMEDIATE")
            return self.store._db

        def __exit__(self, exc_type, exc, tb):
            try:
                self.store._db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()
            return False

    def _write(self) -> "Store._Transaction":
        return Store._Transaction(self)

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _stamp(self) -> str:
        return utc_text(self.clock.now())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def data_version(self) -> int:
        """Changes whenever another connection commits (cheap; polled by the player)."""
        with self._lock:
            return self._db.execute("PRAGMA data_version").fetchone()[0]

    # --- assets ---------------------------------------------------------------------

    def asset_path(self, ref: str) -> Path:
        return asset_file(self.assets_dir, ref)

    def has_asset(self, ref: str) -> bool:
        return is_stored_ref(ref) and bool(
            self._query("SELECT 1 FROM assets WHERE sha256 = ?", (ref.removeprefix("sha256:"),))
        )

    def add_asset(self, data: bytes, original_name: str | None = None) -> str:
        """Store an image once by its sha256 and return `sha256:<hex>`.

        The type is decided by the bytes (PNG, JPEG, WebP), never by the name; the name
        is kept only as a label. Uploads store signage.media.images.clean_image's bytes here.
        """
        if len(data) > MAX_ASSET_BYTES:
            raise ContentError([("asset", f"is {len(data)} bytes; the limit is {MAX_ASSET_BYTES}: "
                                 "scale it down or save it with more compression")])
        facts = inspect_image(data)
        digest = hashlib.sha256(data).hexdigest()
        ref = f"sha256:{digest}"
        path = self.asset_path(ref)
        # Under the lock: a delete of the same content cannot unlink the file between
        # our write and our row.
        with self._lock:
            if self.has_asset(ref) and path.exists():
                return ref
            _write_atomically(path, data)
            with self._write() as db:
                db.execute(
                    "INSERT OR IGNORE INTO assets (sha256, media_type, bytes, width, height, "
                    "original_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (digest, facts.media_type, len(data), facts.width, facts.height,
                     original_name, self._stamp()),
                )
        return ref

    def assets(self) -> list[AssetRecord]:
        """Every stored asset, newest first."""
        return [_asset_record(row) for row in
                self._query("SELECT * FROM assets ORDER BY created_at DESC, sha256")]

    def asset(self, ref: str) -> AssetRecord | None:
        if not is_stored_ref(ref):
            return None
        rows = self._query("SELECT * FROM assets WHERE sha256 = ?", (ref.removeprefix("sha256:"),))
        return _asset_record(rows[0]) if rows else None

    def delete_asset(self, ref: str) -> None:
        """Remove an asset's row and file; AssetInUse if a revision that is live (or still
        waiting for approval) names it, AssetMissing if there is no such asset."""
        if not is_stored_ref(ref):
            raise AssetMissing(f"{ref!r} is not an asset id; ids look like sha256:<64 hex>", ref)
        digest = ref.removeprefix("sha256:")
        # The file goes after the commit (a failed commit leaves both), still under the
        # lock so add_asset cannot store the same content in between.
        with self._lock:
            with self._write() as db:
                if not db.execute("SELECT 1 FROM assets WHERE sha256 = ?", (digest,)).fetchone():
                    raise AssetMissing(f"no asset has the id {ref}", ref)
                users = [(row["kind"], row["name"]) for row in
                         db.execute(_ASSET_USERS_SQL, (digest,)).fetchall()]
                if users:
                    raise AssetInUse(ref, users)
                # Superseded revisions keep their body (it names the sha256) but lose the
                # link, so a rollback to one is refused as AssetMissing, never shown broken.
                db.execute("DELETE FROM revision_assets WHERE sha256 = ?", (digest,))
                db.execute("DELETE FROM assets WHERE sha256 = ?", (digest,))
            self.asset_path(ref).unlink(missing_ok=True)

    # --- playlists ------------------------------------------------------------------

    def publish_playlist(self, playlist: Playlist, author: str, activate: bool = True,
                         role: str | None = None) -> int:
        """Store a new revision and make it live (and active) in one transaction, with no
        approval: for `signage import` and tests. With `role`, it goes in the audit log."""
        return self._publish("playlist", playlist, author, playlist.asset_refs(),
                             "active_playlist" if activate else None, role)

    def publish_schedule(self, schedule, author: str, role: str | None = None) -> int:
        """Store a schedule revision and make it the one the player follows (no approval)."""
        return self._publish("schedule", schedule, author, set(), "active_schedule", role)

    def _publish(self, kind: str, document, author: str, asset_refs: set[str],
                 activate_key: str | None, role: str | None = None) -> int:
        refs = _stored_refs(asset_refs)
        with self._write() as db:
            self._check_assets(db, refs)
            revision = self._insert_revision(db, kind, document, author, refs, "approved")
            db.execute("UPDATE revisions SET decided_by = author, decided_at = created_at "
                       "WHERE id = ?", (revision,))
            self._make_live(db, kind, document.name, revision, activate_key)
            if role is not None:
                self.audit(author, role, f"{kind}.publish", target=document.name,
                           revision=revision, db=db)
        return revision

    def _check_assets(self, db: sqlite3.Connection, refs: list[str]) -> None:
        """AssetMissing unless every `sha256:` ref has its row and its file."""
        for ref in refs:
            digest = ref.removeprefix("sha256:")
            row = db.execute("SELECT 1 FROM assets WHERE sha256 = ?", (digest,)).fetchone()
            if row is None or not self.asset_path(ref).exists():
                raise AssetMissing(f"asset {ref} is not in the store; upload it first", ref)

    def _insert_revision(self, db: sqlite3.Connection, kind: str, document, author: str,
                         refs: list[str], state: str) -> int:
        cursor = db.execute(
            "INSERT INTO revisions (kind, name, body, author, created_at, state) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (kind, document.name, dump_json(document), author, self._stamp(), state),
        )
        revision = cursor.lastrowid
        db.executemany(
            "INSERT OR IGNORE INTO revision_assets (revision, sha256) VALUES (?, ?)",
            [(revision, ref.removeprefix("sha256:")) for ref in refs],
        )
        return revision

    def _make_live(self, db: sqlite3.Connection, kind: str, name: str, revision: int,
                   activate_key: str | None) -> None:
        db.execute(
            "INSERT INTO live (kind, name, revision) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, name) DO UPDATE SET revision = excluded.revision",
            (kind, name, revision),
        )
        if activate_key:
            self._set_desired(db, activate_key, name)

    def _set_desired(self, db: sqlite3.Connection, key: str, value: object) -> None:
        db.execute(
            "INSERT INTO desired (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, json.dumps(value), self._stamp()),
        )

    def activate_playlist(self, name: str, by: str | None = None, role: str | None = None) -> None:
        """Make a published playlist the one shown when no schedule decides; with `by` and
        `role`, the audit log records who did."""
        with self._write() as db:
            if not db.execute("SELECT 1 FROM live WHERE kind='playlist' AND name=?", (name,)).fetchone():
                raise StoreError(f"no published playlist is named {name!r}")
            self._set_desired(db, "active_playlist", name)
            if by is not None and role is not None:
                self.audit(by, role, "playlist.activate", target=name, db=db)

    def active_playlist(self) -> str | None:
        rows = self._query("SELECT value FROM desired WHERE key = 'active_playlist'")
        return json.loads(rows[0]["value"]) if rows else None

    def playlist_names(self) -> list[str]:
        return [r["name"] for r in self._query("SELECT name FROM live WHERE kind='playlist' ORDER BY name")]

    def live_content(self) -> LiveContent | None:
        """The active playlist at its live revision, read in one consistent snapshot."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                row = self._db.execute(
                    "SELECT r.id, r.body FROM desired d "
                    "JOIN live l ON l.kind = 'playlist' AND l.name = json_extract(d.value, '$') "
                    "JOIN revisions r ON r.id = l.revision WHERE d.key = 'active_playlist'"
                ).fetchone()
            finally:
                self._db.execute("COMMIT")
        if row is None:
            return None
        return LiveContent(row["id"], Playlist.model_validate_json(row["body"]))

    def live_revision(self) -> int | None:
        """The active playlist's live revision number (cheap: for health checks)."""
        rows = self._query(
            "SELECT l.revision FROM desired d JOIN live l ON l.kind = 'playlist' "
            "AND l.name = json_extract(d.value, '$') WHERE d.key = 'active_playlist'"
        )
        return rows[0]["revision"] if rows else None

    def live_playlist(self, name: str) -> LiveContent | None:
        """The live revision of the playlist called `name`, or None if there is none."""
        rows = self._query(
            "SELECT r.id, r.body FROM live l JOIN revisions r ON r.id = l.revision "
            "WHERE l.kind = 'playlist' AND l.name = ?", (name,)
        )
        return LiveContent(rows[0]["id"], Playlist.model_validate_json(rows[0]["body"])) if rows else None

    # --- schedules ------------------------------------------------------------------

    def live_schedule(self):
        """(revision, Schedule) the player follows, or None when no schedule is published."""
        from signage.schedule.rules import Schedule

        rows = self._query(
            "SELECT r.id, r.body FROM desired d "
            "JOIN live l ON l.kind = 'schedule' AND l.name = json_extract(d.value, '$') "
            "JOIN revisions r ON r.id = l.revision WHERE d.key = 'active_schedule'"
        )
        if not rows:
            return None
        return rows[0]["id"], Schedule.model_validate_json(rows[0]["body"])

    # --- emergency messages ---------------------------------------------------------

    def add_emergency(self, message: Message, expires_at: dt.datetime, author: str,
                      priority: int = 100, starts_at: dt.datetime | None = None,
                      role: str | None = None) -> Emergency:
        """Store an emergency message; the player shows it from `starts_at` (default now).
        With `role`, the audit log records it in the same transaction."""
        starts_at = starts_at or self.clock.now()
        if expires_at <= starts_at:
            raise StoreError("expires_at must be after starts_at; give a later expiry")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO emergencies (message, priority, starts_at, expires_at, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (message.model_dump_json(), priority, utc_text(starts_at), utc_text(expires_at),
                 author, utc_text(self.clock.now())),
            )
            if role is not None:  # the text stays out: the notice itself is kept above
                self.audit(author, role, "emergency.create", target=f"emergency {cursor.lastrowid}",
                           detail={"priority": priority, "starts_at": utc_text(starts_at),
                                   "expires_at": utc_text(expires_at)}, db=db)
        return self.emergency(cursor.lastrowid)

    def cancel_emergency(self, emergency_id: int, by: str, role: str | None = None) -> Emergency:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE emergencies SET cancelled_at = ?, cancelled_by = ? "
                "WHERE id = ? AND cancelled_at IS NULL",
                (utc_text(self.clock.now()), by, emergency_id),
            )
            if cursor.rowcount == 0 and not db.execute(
                "SELECT 1 FROM emergencies WHERE id = ?", (emergency_id,)
            ).fetchone():
                raise StoreError(f"no emergency message has id {emergency_id}")
            if role is not None and cursor.rowcount:
                self.audit(by, role, "emergency.cancel", target=f"emergency {emergency_id}", db=db)
        return self.emergency(emergency_id)

    def emergency(self, emergency_id: int) -> Emergency:
        rows = self._query("SELECT * FROM emergencies WHERE id = ?", (emergency_id,))
        if not rows:
            raise StoreError(f"no emergency message has id {emergency_id}")
        return _emergency(rows[0])

    def emergencies(self, current_at: dt.datetime | None = None) -> list[Emergency]:
        """All emergency messages, newest first; with `current_at`, only those not yet
        over then (active or still to start), highest priority first."""
        if current_at is None:
            rows = self._query("SELECT * FROM emergencies ORDER BY id DESC")
        else:
            rows = self._query(
                "SELECT * FROM emergencies WHERE cancelled_at IS NULL AND expires_at > ? "
                "ORDER BY priority DESC, id DESC", (utc_text(current_at),)
            )
        return [_emergency(row) for row in rows]

    # --- technician overrides -------------------------------------------------------

    def set_override(self, kind: str, value: object, by: str,
                     expires_at: dt.datetime | None = None) -> Override:
        if kind not in set(PanelSetting):
            raise StoreError(f"override {kind!r} is unknown; choose one of {', '.join(PanelSetting)}")
        with self._write() as db:
            db.execute(
                "INSERT INTO overrides (kind, value, expires_at, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET value = excluded.value, expires_at = "
                "excluded.expires_at, set_by = excluded.set_by, set_at = excluded.set_at",
                (kind, json.dumps(value), utc_text(expires_at) if expires_at else None, by,
                 utc_text(self.clock.now())),
            )
        return self.overrides()[kind]

    def clear_override(self, kind: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM overrides WHERE kind = ?", (kind,))

    def overrides(self, active_at: dt.datetime | None = None) -> dict[str, Override]:
        """Overrides by kind; with `active_at`, only those not expired then."""
        found = {}
        for row in self._query("SELECT * FROM overrides"):
            override = Override(row["kind"], json.loads(row["value"]),
                                _from_utc_text(row["expires_at"]), row["set_by"],
                                _from_utc_text(row["set_at"]))
            if active_at is None or override.active(active_at):
                found[override.kind] = override
        return found

    # --- the newest time seen (trusted time) ------------------------------------------

    def newest_seen_time(self) -> dt.datetime | None:
        """The newest wall time known to have passed: the player's saved mark, or a later
        moment when content was published (that clock was right then, or nobody noticed)."""
        rows = self._query(
            "SELECT max(newest) AS t FROM (SELECT newest FROM clock_seen UNION ALL "
            "SELECT max(created_at) FROM revisions)"
        )
        return _from_utc_text(rows[0]["t"]) if rows and rows[0]["t"] else None

    def record_seen_time(self, moment: dt.datetime) -> None:
        """Raise the stored high-water mark of wall time to `moment` (never lowers it)."""
        text = utc_text(moment)
        with self._write() as db:
            db.execute(
                "INSERT INTO clock_seen (id, newest) VALUES (1, ?) ON CONFLICT (id) DO UPDATE "
                "SET newest = max(newest, excluded.newest)", (text,)
            )


def _statements(script: str) -> list[str]:
    """A migration script cut into whole statements (a trigger body holds ';' too)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending)
            pending = ""
    return statements


def _emergency(row: sqlite3.Row) -> Emergency:
    return Emergency(
        id=row["id"], message=Message.model_validate_json(row["message"]),
        priority=row["priority"], starts_at=_from_utc_text(row["starts_at"]),
        expires_at=_from_utc_text(row["expires_at"]), created_by=row["created_by"],
        created_at=_from_utc_text(row["created_at"]),
        cancelled_at=_from_utc_text(row["cancelled_at"]), cancelled_by=row["cancelled_by"],
    )


def _stored_refs(asset_refs: set[str]) -> list[str]:
    """The refs sorted; AssetMissing for one that is still a file path."""
    refs = sorted(asset_refs)
    unstored = [ref for ref in refs if not is_stored_ref(ref)]
    if unstored:
        raise AssetMissing(
            f"asset {unstored[0]!r} is a file path; import the file first "
            "(signage import) so the playlist names it by sha256", unstored[0]
        )
    return refs


def asset_file(assets_dir: Path, ref: str) -> Path:
    """Where the asset `sha256:<hex>` lives (no database needed)."""
    if not is_stored_ref(ref):
        raise AssetMissing(f"{ref!r} is not a stored asset reference (sha256:<hex>)", ref)
    digest = ref.removeprefix("sha256:")
    return assets_dir / digest[:2] / digest


# Revisions in these states (once the approval workflow adds a `state` column) hold
# their assets as firmly as live ones: approving a draft must not find its picture gone.
PENDING_REVISION_STATES = ("draft", "submitted")


class AssetInUse(StoreError):
    """An asset that live or pending content names; `users` lists (kind, name) pairs."""

    def __init__(self, ref: str, users: list[tuple[str, str]]):
        self.ref = ref
        self.users = users
        names = ", ".join(f"{kind} {name!r}" for kind, name in users)
        super().__init__(f"asset {ref} is used by {names}; remove it from those first")


@dataclasses.dataclass(frozen=True)
class AssetRecord:
    """A stored asset as the store describes it."""

    ref: str
    media_type: str
    bytes: int
    width: int
    height: int
    original_name: str | None
    created_at: str

    def as_dict(self) -> dict:
        return {"id": self.ref, "media_type": self.media_type, "bytes": self.bytes,
                "width": self.width, "height": self.height,
                "original_name": self.original_name, "created_at": self.created_at}


def _asset_record(row: sqlite3.Row) -> AssetRecord:
    return AssetRecord(f"sha256:{row['sha256']}", row["media_type"], row["bytes"], row["width"],
                       row["height"], row["original_name"], row["created_at"])


# Which revisions keep an asset from being deleted: live ones, and drafts awaiting approval.
_ASSET_USERS_SQL = (
    "SELECT DISTINCT r.kind, r.name FROM revision_assets ra "
    "JOIN revisions r ON r.id = ra.revision "
    "WHERE ra.sha256 = ? AND (r.id IN (SELECT revision FROM live) OR r.state IN ("
    + ", ".join(f"'{state}'" for state in PENDING_REVISION_STATES)
    + ")) ORDER BY r.kind, r.name"
)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
