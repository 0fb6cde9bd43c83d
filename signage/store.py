"""The only code that reads or writes signage.db and the asset files.

Desired state (content revisions, the active playlist, later schedules and overrides)
lives in SQLite in WAL mode, so the API can write while the player reads. Assets are
files named by their sha256, written (temp + fsync + rename) before the database row
that names them is committed; a foreign key from each revision to its assets makes a
revision whose assets are missing impossible to publish.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import json
import os
import secrets
import sqlite3
import threading
import warnings
from pathlib import Path
from typing import Iterator

from PIL import Image

from signage.clock import Clock, SystemClock
from signage.content import dump_json
from signage.errors import AssetMissing, ContentError, StoreError
from signage.models import Playlist, is_stored_ref

ACCEPTED_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_ASSET_BYTES = 25 * 1024 * 1024
MAX_ASSET_PIXELS = 40_000_000  # checked from the header, before any decoding
ROLES = ("admin",)  # more arrive with the admin-API issue
TOKEN_PREFIX = "sgn_"

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
]


@dataclasses.dataclass(frozen=True)
class LiveContent:
    """What should be on screen: the active playlist at its live revision."""

    revision: int
    playlist: Playlist


@dataclasses.dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: str
    last_used_at: str | None
    revoked: bool


def _hash_token(token: str) -> str:
    # Tokens are 256-bit random strings, so a plain SHA-256 is a safe stored form
    # (no dictionary to attack); passwords, when they arrive, need a slow hash.
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
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
            for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
                with self._write():
                    for statement in filter(str.strip, script.split(";")):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={number}")

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
        return self.clock.now().isoformat(timespec="seconds")

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

        The type is decided by the bytes (PNG, JPEG, WebP), never by the name.
        """
        if len(data) > MAX_ASSET_BYTES:
            raise ContentError([("asset", f"is {len(data)} bytes; the limit is {MAX_ASSET_BYTES}")])
        media_type, width, height = _inspect_image(data)
        digest = hashlib.sha256(data).hexdigest()
        ref = f"sha256:{digest}"
        if self.has_asset(ref) and self.asset_path(ref).exists():
            return ref
        path = self.asset_path(ref)
        _write_atomically(path, data)
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO assets (sha256, media_type, bytes, width, height, "
                "original_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (digest, media_type, len(data), width, height, original_name, self._stamp()),
            )
        return ref

    # --- playlists ------------------------------------------------------------------

    def publish_playlist(self, playlist: Playlist, author: str, activate: bool = True) -> int:
        """Store a new revision and make it live (and active) in one transaction."""
        refs = sorted(playlist.asset_refs())
        unstored = [ref for ref in refs if not is_stored_ref(ref)]
        if unstored:
            raise AssetMissing(
                f"asset {unstored[0]!r} is a file path; import the file first "
                "(signage import) so the playlist names it by sha256", unstored[0]
            )
        with self._write() as db:
            for ref in refs:
                digest = ref.removeprefix("sha256:")
                row = db.execute("SELECT 1 FROM assets WHERE sha256 = ?", (digest,)).fetchone()
                if row is None or not self.asset_path(ref).exists():
                    raise AssetMissing(f"asset {ref} is not in the store; upload it first", ref)
            cursor = db.execute(
                "INSERT INTO revisions (kind, name, body, author, created_at) "
                "VALUES ('playlist', ?, ?, ?, ?)",
                (playlist.name, dump_json(playlist), author, self._stamp()),
            )
            revision = cursor.lastrowid
            db.executemany(
                "INSERT INTO revision_assets (revision, sha256) VALUES (?, ?)",
                [(revision, ref.removeprefix("sha256:")) for ref in refs],
            )
            db.execute(
                "INSERT INTO live (kind, name, revision) VALUES ('playlist', ?, ?) "
                "ON CONFLICT (kind, name) DO UPDATE SET revision = excluded.revision",
                (playlist.name, revision),
            )
            if activate:
                self._set_desired(db, "active_playlist", playlist.name)
        return revision

    def _set_desired(self, db: sqlite3.Connection, key: str, value: object) -> None:
        db.execute(
            "INSERT INTO desired (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, json.dumps(value), self._stamp()),
        )

    def activate_playlist(self, name: str) -> None:
        with self._write() as db:
            if not db.execute("SELECT 1 FROM live WHERE kind='playlist' AND name=?", (name,)).fetchone():
                raise StoreError(f"no published playlist is named {name!r}")
            self._set_desired(db, "active_playlist", name)

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

    # --- tokens ---------------------------------------------------------------------

    def create_token(self, name: str, role: str) -> str:
        """Make an API token; the plain text is returned once and only its hash is kept."""
        if role not in ROLES:
            raise StoreError(f"role {role!r} is unknown; choose one of {', '.join(ROLES)}")
        if not name or len(name) > 64:
            raise StoreError("a token needs a name of 1-64 characters (who or what uses it)")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)",
                    (name, role, _hash_token(token), self._stamp()),
                )
        except sqlite3.IntegrityError:
            raise StoreError(f"a token named {name!r} exists; pick another name or revoke it") from None
        return token

    def verify_token(self, token: str) -> TokenInfo | None:
        """The live token matching `token`, or None. Records when it was last used."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = _hash_token(token)
        rows = self._query("SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL", (digest,))
        if not rows or not hmac.compare_digest(rows[0]["hash"], digest):
            return None
        row = rows[0]
        stamp = self._stamp()
        # Write at most once a minute per token: the SD card need not log every request.
        if (row["last_used_at"] or "")[:16] != stamp[:16]:
            with self._write() as db:
                db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (stamp, row["id"]))
        return TokenInfo(row["name"], row["role"], row["created_at"], stamp, False)

    def revoke_token(self, name: str) -> None:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (self._stamp(), name),
            )
            if cursor.rowcount == 0:
                raise StoreError(f"no live token is named {name!r}")

    def tokens(self) -> Iterator[TokenInfo]:
        for row in self._query("SELECT * FROM tokens ORDER BY id"):
            yield TokenInfo(row["name"], row["role"], row["created_at"], row["last_used_at"],
                            row["revoked_at"] is not None)


def asset_file(assets_dir: Path, ref: str) -> Path:
    """Where the asset `sha256:<hex>` lives (no database needed)."""
    if not is_stored_ref(ref):
        raise AssetMissing(f"{ref!r} is not a stored asset reference (sha256:<hex>)", ref)
    digest = ref.removeprefix("sha256:")
    return assets_dir / digest[:2] / digest


def _inspect_image(data: bytes) -> tuple[str, int, int]:
    """(media type, width, height) of an accepted image, decided by its content."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                if width * height > MAX_ASSET_PIXELS:
                    raise ContentError([("asset", f"is {width}x{height} pixels; the limit is "
                                         f"{MAX_ASSET_PIXELS // 1_000_000} megapixels")])
                image.verify()
    except ContentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ContentError([("asset", "is too large to decode safely; scale it down")]) from None
    except Exception:
        raise ContentError([("asset", "is not a readable PNG, JPEG or WebP image")]) from None
    if kind not in ACCEPTED_IMAGE_FORMATS:
        raise ContentError([("asset", f"is a {kind} image; use PNG, JPEG or WebP")])
    return ACCEPTED_IMAGE_FORMATS[kind], width, height


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
