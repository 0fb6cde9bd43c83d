"""Asset files, each stored once under its sha256, and the rows that describe them.

A file is written (temp + fsync + rename) before the row that names it is committed, and a
foreign key from each revision to its assets makes a revision whose assets are missing
impossible to publish. The store never decodes an image: whoever adds one has checked it
(signage.media.images) and passes what it learned (type and size).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Protocol

from signage.content.models import is_stored_ref
from signage.errors import AssetMissing, StoreError
from signage.store.database import Database, unavailable

# Revisions in these states hold their assets as firmly as live ones: approving a draft
# must not find its picture gone.
PENDING_REVISION_STATES = ("draft", "submitted")


class AssetFacts(Protocol):
    """What the caller learned from an image's bytes (media.images' ImageFacts or
    CleanImage): its accepted type and its size in pixels."""

    media_type: str
    width: int
    height: int


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


class Assets:
    """The asset files in `dir` and their rows."""

    def __init__(self, database: Database, assets_dir: Path):
        self.database = database
        self.dir = Path(assets_dir)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot make the assets folder {self.dir}: {exc}; check that "
                             "this user may write in SIGNAGE_DATA_DIR") from exc

    def path(self, ref: str) -> Path:
        """Where the asset `sha256:<hex>` lives."""
        return asset_file(self.dir, ref)

    def has(self, ref: str) -> bool:
        return is_stored_ref(ref) and bool(self.database.query(
            "SELECT 1 FROM assets WHERE sha256 = ?", (ref.removeprefix("sha256:"),)))

    def add(self, data: bytes, facts: AssetFacts, original_name: str | None = None) -> str:
        """Store checked image bytes once by their sha256 and return `sha256:<hex>`.

        `facts` come from the caller's check of the same bytes (media.images.inspect_asset,
        or clean_image's copy); the name is kept only as a label."""
        digest = hashlib.sha256(data).hexdigest()
        ref = f"sha256:{digest}"
        path = self.path(ref)
        # Under the lock: a delete of the same content cannot unlink the file between
        # our write and our row.
        with self.database.lock:
            if self.has(ref) and path.exists():
                return ref
            # Refused before it is written: the reserve's room is for emergency notices.
            self.database.reserve.check_room(len(data), "this upload")
            try:
                write_durably(path, data)
            except OSError as exc:
                raise unavailable(exc, self.database.path) from exc
            with self.database.write() as db:
                db.execute(
                    "INSERT OR IGNORE INTO assets (sha256, media_type, bytes, width, height, "
                    "original_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (digest, facts.media_type, len(data), facts.width, facts.height,
                     original_name, self.database.stamp()),
                )
        return ref

    def add_file(self, source: Path, facts: AssetFacts, original_name: str | None = None) -> str:
        """Store a checked file (a film: too large to hold in memory) by its sha256, moving
        `source` into place (it must be on the same filesystem, e.g. under the data dir)."""
        digest = _file_sha256(source)
        ref = f"sha256:{digest}"
        path = self.path(ref)
        with self.database.lock:
            if self.has(ref) and path.exists():
                source.unlink(missing_ok=True)
                return ref
            with open(source, "rb") as handle:
                os.fsync(handle.fileno())
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, path)
            with self.database.write() as db:
                db.execute(
                    "INSERT OR IGNORE INTO assets (sha256, media_type, bytes, width, height, "
                    "original_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (digest, facts.media_type, path.stat().st_size, facts.width, facts.height,
                     original_name, self.database.stamp()),
                )
        return ref

    def rendition_path(self, ref: str, size: tuple[int, int]) -> Path:
        """Where a film's copy scaled to a panel of `size` lives (made by a transcode job)."""
        return rendition_file(self.dir, ref, size)

    def shown_path(self, ref: str, size: tuple[int, int]) -> Path:
        return shown_file(self.dir, ref, size)

    def all(self) -> list[AssetRecord]:
        """Every stored asset, newest first."""
        return [_asset_record(row) for row in
                self.database.query("SELECT * FROM assets ORDER BY created_at DESC, sha256")]

    def get(self, ref: str) -> AssetRecord | None:
        """The stored asset `ref`, or None."""
        if not is_stored_ref(ref):
            return None
        rows = self.database.query("SELECT * FROM assets WHERE sha256 = ?",
                                   (ref.removeprefix("sha256:"),))
        return _asset_record(rows[0]) if rows else None

    def uses(self) -> dict[str, list[AssetUse]]:
        """Per asset ref, the revisions that hold it (the ones a delete would be refused
        for), in one query for the whole library."""
        found: dict[str, list[AssetUse]] = {}
        for row in self.database.query(_ALL_USES_SQL):
            found.setdefault(f"sha256:{row['sha256']}", []).append(
                AssetUse(row["id"], row["kind"], row["name"], row["state"], bool(row["live"])))
        return found

    def delete(self, ref: str) -> None:
        """Remove an asset's row and file; AssetInUse if a revision that is live (or still
        waiting for approval) names it, AssetMissing if there is no such asset."""
        if not is_stored_ref(ref):
            raise AssetMissing(f"{ref!r} is not an asset id; ids look like sha256:<64 hex>", ref)
        digest = ref.removeprefix("sha256:")
        # The file goes after the commit (a failed commit leaves both), still under the
        # lock so add() cannot store the same content in between.
        with self.database.lock:
            # Deleting is how room is made on a full disk: it may use the reserve.
            self.database.reserve.using(lambda: self._delete_rows(ref, digest))
            self.path(ref).unlink(missing_ok=True)
            for rendition in self.path(ref).parent.glob(f"{digest}.*.mp4"):
                rendition.unlink(missing_ok=True)
            self.database.reserve.ensure()

    def _delete_rows(self, ref: str, digest: str) -> None:
        with self.database.write() as db:
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

    def check_stored(self, db: sqlite3.Connection, refs: list[str]) -> None:
        """AssetMissing unless every `sha256:` ref has its row and its file (in the
        caller's transaction `db`, so the answer holds until it commits)."""
        for ref in refs:
            digest = ref.removeprefix("sha256:")
            row = db.execute("SELECT 1 FROM assets WHERE sha256 = ?", (digest,)).fetchone()
            if row is None or not self.path(ref).exists():
                raise AssetMissing(f"asset {ref} is not in the store; upload it first", ref)


def asset_file(assets_dir: Path, ref: str) -> Path:
    """Where the asset `sha256:<hex>` lives (no database needed)."""
    if not is_stored_ref(ref):
        raise AssetMissing(f"{ref!r} is not a stored asset reference (sha256:<hex>)", ref)
    digest = ref.removeprefix("sha256:")
    return assets_dir / digest[:2] / digest


def rendition_file(assets_dir: Path, ref: str, size: tuple[int, int]) -> Path:
    """Where the copy of film `ref` made for a panel of `size` lives."""
    path = asset_file(assets_dir, ref)
    return path.with_name(f"{path.name}.{size[0]}x{size[1]}.mp4")


def shown_file(assets_dir: Path, ref: str, size: tuple[int, int]) -> Path:
    """The file to show for `ref` on a panel of `size`: a film's panel-size copy once it
    is made (so the player never scales 4K on a small box), else the asset itself."""
    rendition = rendition_file(assets_dir, ref, size)
    return rendition if rendition.exists() else asset_file(assets_dir, ref)


def _asset_record(row: sqlite3.Row) -> AssetRecord:
    return AssetRecord(f"sha256:{row['sha256']}", row["media_type"], row["bytes"], row["width"],
                       row["height"], row["original_name"], row["created_at"])


# Which revisions keep an asset from being deleted: live ones, and drafts awaiting approval.
_HOLDS_ASSET = ("(r.id IN (SELECT revision FROM live) OR r.state IN ("
                + ", ".join(f"'{state}'" for state in PENDING_REVISION_STATES) + "))")
_ASSET_USERS_SQL = (
    "SELECT DISTINCT r.kind, r.name FROM revision_assets ra "
    "JOIN revisions r ON r.id = ra.revision "
    f"WHERE ra.sha256 = ? AND {_HOLDS_ASSET} ORDER BY r.kind, r.name"
)
_ALL_USES_SQL = (
    "SELECT ra.sha256, r.id, r.kind, r.name, r.state, "
    "r.id IN (SELECT revision FROM live) AS live FROM revision_assets ra "
    f"JOIN revisions r ON r.id = ra.revision WHERE {_HOLDS_ASSET} ORDER BY r.kind, r.name, r.id"
)


@dataclasses.dataclass(frozen=True)
class AssetUse:
    """A revision that holds an asset (live, or a draft or submission waiting)."""

    revision: int
    kind: str
    name: str
    state: str
    live: bool


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def write_durably(path: Path, data: bytes) -> None:
    """Replace `path` with `data` for good: a temp file, fsync, rename; the temp is removed
    if anything fails (a half-written temp on a full disk would keep it full)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
