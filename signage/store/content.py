"""Published content: the live revision of each playlist and schedule, and which ones the
player follows (the active playlist, the active schedule).

Publishing here skips the approval workflow (`signage import` and tests); the workflow
(store.revisions) moves the same live pointers with the helpers below, inside its own
transactions. Readers get whole revisions: a revision and its live pointer commit together.
"""

from __future__ import annotations

import json
import sqlite3

from signage.content.documents import dump_json
from signage.content.models import Playlist, is_stored_ref
from signage.errors import AssetMissing, StoreError
from signage.schedule.state import LiveContent
from signage.store.assets import Assets
from signage.store.database import Database
from signage.store.records import Records


class Content:
    """Publish playlists and schedules, choose the active ones, read what is live.

    Publishing with a role writes its audit entry through `records` in the same
    transaction; `assets` checks that every picture a revision names is stored."""

    def __init__(self, database: Database, assets: Assets, records: Records):
        self.database = database
        self.assets = assets
        self.records = records

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
        with self.database.write() as db:
            self.assets.check_stored(db, refs)
            stamp = self.database.stamp()
            revision = insert_revision(db, stamp, kind, document, author, refs, "approved")
            db.execute("UPDATE revisions SET decided_by = author, decided_at = created_at "
                       "WHERE id = ?", (revision,))
            make_live(db, stamp, kind, document.name, revision, activate_key)
            if role is not None:
                self.records.audit(author, role, f"{kind}.publish", target=document.name,
                                   revision=revision, db=db)
        return revision

    def activate_playlist(self, name: str, by: str | None = None, role: str | None = None) -> None:
        """Make a published playlist the one shown when no schedule decides; with `by` and
        `role`, the audit log records who did."""
        with self.database.write() as db:
            if not db.execute("SELECT 1 FROM live WHERE kind='playlist' AND name=?", (name,)).fetchone():
                raise StoreError(f"no published playlist is named {name!r}")
            set_desired(db, self.database.stamp(), "active_playlist", name)
            if by is not None and role is not None:
                self.records.audit(by, role, "playlist.activate", target=name, db=db)

    def active_playlist(self) -> str | None:
        rows = self.database.query("SELECT value FROM desired WHERE key = 'active_playlist'")
        return json.loads(rows[0]["value"]) if rows else None

    def playlist_names(self) -> list[str]:
        return [r["name"] for r in self.database.query(
            "SELECT name FROM live WHERE kind='playlist' ORDER BY name")]

    def live_content(self) -> LiveContent | None:
        """The active playlist at its live revision, read in one consistent snapshot."""
        with self.database.read() as db:
            row = db.execute(
                "SELECT r.id, r.body FROM desired d "
                "JOIN live l ON l.kind = 'playlist' AND l.name = json_extract(d.value, '$') "
                "JOIN revisions r ON r.id = l.revision WHERE d.key = 'active_playlist'"
            ).fetchone()
        if row is None:
            return None
        return LiveContent(row["id"], Playlist.model_validate_json(row["body"]))

    def live_revision(self) -> int | None:
        """The active playlist's live revision number (cheap: for health checks)."""
        rows = self.database.query(
            "SELECT l.revision FROM desired d JOIN live l ON l.kind = 'playlist' "
            "AND l.name = json_extract(d.value, '$') WHERE d.key = 'active_playlist'"
        )
        return rows[0]["revision"] if rows else None

    def live_playlist(self, name: str) -> LiveContent | None:
        """The live revision of the playlist called `name`, or None if there is none."""
        rows = self.database.query(
            "SELECT r.id, r.body FROM live l JOIN revisions r ON r.id = l.revision "
            "WHERE l.kind = 'playlist' AND l.name = ?", (name,)
        )
        return LiveContent(rows[0]["id"], Playlist.model_validate_json(rows[0]["body"])) if rows else None

    def live_schedule(self):
        """(revision, Schedule) the player follows, or None when no schedule is published."""
        from signage.schedule.rules import Schedule

        rows = self.database.query(
            "SELECT r.id, r.body FROM desired d "
            "JOIN live l ON l.kind = 'schedule' AND l.name = json_extract(d.value, '$') "
            "JOIN revisions r ON r.id = l.revision WHERE d.key = 'active_schedule'"
        )
        if not rows:
            return None
        return rows[0]["id"], Schedule.model_validate_json(rows[0]["body"])


# --- inside a write transaction (shared with the approval workflow) --------------------


def insert_revision(db: sqlite3.Connection, stamp: str, kind: str, document, author: str,
                    refs: list[str], state: str) -> int:
    """A new revision of `document` in `state`, linked to the assets it names; its id."""
    cursor = db.execute(
        "INSERT INTO revisions (kind, name, body, author, created_at, state) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (kind, document.name, dump_json(document), author, stamp, state),
    )
    revision = cursor.lastrowid
    db.executemany(
        "INSERT OR IGNORE INTO revision_assets (revision, sha256) VALUES (?, ?)",
        [(revision, ref.removeprefix("sha256:")) for ref in refs],
    )
    return revision


def make_live(db: sqlite3.Connection, stamp: str, kind: str, name: str, revision: int,
              activate_key: str | None) -> None:
    """Point `kind` `name` at `revision`; with `activate_key`, the player follows it too."""
    db.execute(
        "INSERT INTO live (kind, name, revision) VALUES (?, ?, ?) "
        "ON CONFLICT (kind, name) DO UPDATE SET revision = excluded.revision",
        (kind, name, revision),
    )
    if activate_key:
        set_desired(db, stamp, activate_key, name)


def set_desired(db: sqlite3.Connection, stamp: str, key: str, value: object) -> None:
    db.execute(
        "INSERT INTO desired (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, json.dumps(value), stamp),
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
