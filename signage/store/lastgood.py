"""The last known good content, kept beside the database for when it cannot be opened.

When signage.db is damaged (a power cut during a write on a worn SD card) or its disk
fails, the wall must keep showing what was approved. So the player copies the live
content (the live revisions' bodies, which playlist and schedule are active, and the
asset files they use, hard-linked where the disk allows) into data_dir/last-good/ each
time it changes, the document written to a temp file, fsynced and renamed into place.
`LastGoodContent` reads it back with the methods the player reads desired state with.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from signage.content.models import Playlist
from signage.schedule.state import LiveContent
from signage.store.assets import asset_file, write_durably

log = logging.getLogger(__name__)

LAST_GOOD = "last-good"
DOCUMENT = "content.json"
ACTIVE_KEYS = ("active_playlist", "active_schedule")


class LastGood:
    """Writes data_dir/last-good/ from an open store when the live content changed."""

    def __init__(self, data_dir: Path):
        self.dir = Path(data_dir) / LAST_GOOD
        self.saved_key: object = None

    def save_from(self, store) -> bool:
        """Copy the store's live content here unless it is what was saved last; True if
        it wrote. Raises StoreError or OSError (the caller logs; the wall is unaffected)."""
        with store.database.read() as db:
            live = [tuple(row) for row in db.execute(
                "SELECT kind, name, revision FROM live ORDER BY kind, name")]
            active = {row["key"]: json.loads(row["value"]) for row in db.execute(
                "SELECT key, value FROM desired WHERE key IN (?, ?)", ACTIVE_KEYS)}
            key = (live, sorted(active.items()))
            if key == self.saved_key:
                return False
            bodies = {row["id"]: row["body"] for row in db.execute(
                "SELECT r.id, r.body FROM revisions r JOIN live l ON l.revision = r.id")}
            digests = [row[0] for row in db.execute(
                "SELECT DISTINCT sha256 FROM revision_assets WHERE revision IN "
                "(SELECT revision FROM live)")]
        refs = [f"sha256:{digest}" for digest in digests]
        self._keep_assets(store.assets.dir, refs)
        document = {**active, "live": [
            {"kind": kind, "name": name, "revision": revision, "body": bodies[revision]}
            for kind, name, revision in live], "assets": refs}
        write_durably(self.dir / DOCUMENT, json.dumps(document, ensure_ascii=False).encode())
        self.saved_key = key
        log.info("saved the last good content (%d live revisions, %d assets) in %s",
                 len(live), len(refs), self.dir)
        return True

    def _keep_assets(self, assets_dir: Path, refs: list[str]) -> None:
        wanted = set()
        for ref in refs:
            source, target = asset_file(assets_dir, ref), asset_file(self.dir / "assets", ref)
            wanted.add(target)
            if target.exists() or not source.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)  # no extra space; survives the asset's deletion
            except OSError:  # another file system: a copy, whole or not at all
                write_durably(target, source.read_bytes())
        for old in (self.dir / "assets").glob("*/*"):
            if old not in wanted:
                old.unlink(missing_ok=True)


class LastGoodContent:
    """The saved content, read back with the calls read_wanted and the player make on the
    store's Content and Desired (no notices, overrides or play-now: those are not kept)."""

    def __init__(self, directory: Path, document: dict):
        self.dir = directory
        self.document = document
        self.revisions = {(entry["kind"], entry["name"]): entry for entry in document["live"]}

    @classmethod
    def load(cls, data_dir: Path) -> "LastGoodContent | None":
        directory = Path(data_dir) / LAST_GOOD
        try:
            return cls(directory, json.loads((directory / DOCUMENT).read_bytes()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def active_playlist(self) -> str | None:
        return self.document.get("active_playlist")

    def live_playlist(self, name: str) -> LiveContent | None:
        entry = self.revisions.get(("playlist", name))
        if entry is None:
            return None
        return LiveContent(entry["revision"], Playlist.model_validate_json(entry["body"]))

    def live_schedule(self):
        from signage.schedule.rules import Schedule

        entry = self.revisions.get(("schedule", self.document.get("active_schedule")))
        return (entry["revision"], Schedule.model_validate_json(entry["body"])) if entry else None

    def emergencies(self, current_at=None) -> list:
        return []

    def overrides(self, active_at=None) -> dict:
        return {}

    def play_now(self, active_at=None) -> None:
        return None  # an approver's play-now is not kept either: the schedule decides

    def asset_path(self, ref: str) -> Path:
        return asset_file(self.dir / "assets", ref)
