"""The approval workflow: drafts, submission, approval (going live), rejection, rollback.

A repository over the Database, with the assets (to check a revision's pictures) and the
records (to log each step). A revision moves draft -> submitted -> approved | rejected.
Only approving, or rolling back to a revision approved before, moves the live pointer;
each step checks the state and writes its audit entry inside the same transaction as
the change, so two approvers cannot both win and the log can neither miss a step nor
record one that did not happen.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from signage.content.models import Playlist, is_stored_ref
from signage.errors import AssetMissing, StoreError
from signage.store.assets import Assets
from signage.store.content import insert_revision, make_live
from signage.store.database import Database
from signage.store.records import Records, redact_secrets, shallow_dict

REVISION_KINDS = ("playlist", "schedule")
REVISION_STATES = ("draft", "submitted", "approved", "rejected")
MAX_REASON_CHARS = 500
# What the player follows for each kind once a revision of it goes live.
ACTIVATE_KEY = {"playlist": "active_playlist", "schedule": "active_schedule"}
# What each state change needs, said the way the 409 answer says it.
_ALLOWED = {  # action: (states it may start from, how the 409 answer says it)
    "submit": (("draft",), "submitted"),
    "approve": (("submitted",), "approved"),
    "reject": (("submitted",), "rejected"),
}
_NEXT_STEP = {
    "draft": "submit it first (POST /api/revisions/{id}/submit)",
    "submitted": "approve or reject it",
    "approved": "it is decided; save a new draft to change the content, or roll back",
    "rejected": "it is decided; save a new draft with the changes asked for",
}


class RevisionNotFound(StoreError):
    """No revision has the id asked for."""


class RevisionConflict(StoreError):
    """The revision's state (or kind, or name) does not allow the change asked for."""


class FourEyesRefused(StoreError):
    """The author of a revision tried to approve it while the four-eyes rule is on."""


@dataclasses.dataclass(frozen=True)
class RevisionInfo:
    """A revision as the workflow describes it; `body` only when one revision is asked for."""

    id: int
    kind: str
    name: str
    state: str
    live: bool
    author: str
    created_at: str
    submitted_by: str | None
    submitted_at: str | None
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    body: dict | None = None

    def as_dict(self) -> dict:
        data = shallow_dict(self)
        if self.body is None:
            del data["body"]
        return data


class Revisions:
    """Drafts, approvals, rejections and rollbacks.

    Each step writes its audit entry through `records` inside its own transaction, and
    checks through `assets` that the pictures a revision names are stored."""

    def __init__(self, database: Database, assets: Assets, records: Records):
        self.database = database
        self.assets = assets
        self.records = records

    def save_draft(self, kind: str, document, author: str, *, role: str) -> int:
        """Store a validated Playlist or Schedule as a draft (not live); its id.

        Assets must be stored already; a draft holds them against deletion."""
        _check_kind(kind, document)
        refs = _refs_of(document)
        with self.database.write() as db:
            self.assets.check_stored(db, refs)
            revision = insert_revision(db, self.database.stamp(), kind, document, author, refs,
                                       "draft")
            self.records.audit(author, role, f"{kind}.save", target=document.name,
                               revision=revision, db=db)
        return revision

    def submit(self, revision: int, by: str, *, role: str) -> RevisionInfo:
        """Ask for approval of a draft."""
        with self.database.write() as db:
            row = _row_for(db, revision, "submit")
            db.execute("UPDATE revisions SET state = 'submitted', submitted_by = ?, "
                       "submitted_at = ? WHERE id = ?", (by, self.database.stamp(), revision))
            self.records.audit(by, role, f"{row['kind']}.submit", target=row["name"],
                               revision=revision, db=db)
        return self.get(revision, body=False)

    def approve(self, revision: int, by: str, role: str, four_eyes: bool = True) -> RevisionInfo:
        """Approve a submitted revision and make it live (a playlist also becomes the
        active one), all in one transaction; FourEyesRefused if `by` wrote it."""
        with self.database.write() as db:
            row = _row_for(db, revision, "approve")
            if four_eyes and row["author"] == by:
                raise FourEyesRefused(
                    f"{by!r} wrote revision {revision}, so another approver must approve it "
                    "(the four-eyes rule; a site may turn it off with SIGNAGE_FOUR_EYES=off)")
            self.assets.check_stored(db, _refs_of_body(row["kind"], row["body"]))
            self._decide(db, revision, "approved", by, None)
            make_live(db, self.database.stamp(), row["kind"], row["name"], revision,
                      ACTIVATE_KEY[row["kind"]])
            self.records.audit(by, role, f"{row['kind']}.approve", target=row["name"],
                               revision=revision, detail={"author": row["author"]}, db=db)
        return self.get(revision, body=False)

    def reject(self, revision: int, by: str, reason: str, *, role: str) -> RevisionInfo:
        """Turn down a submitted revision; the reason is kept for its author."""
        reason = redact_secrets((reason or "").strip())  # shown to editors and kept for years
        if not reason or len(reason) > MAX_REASON_CHARS:
            raise RevisionConflict(f"a rejection needs a reason of 1-{MAX_REASON_CHARS} "
                                   "characters; say what to change")
        with self.database.write() as db:
            row = _row_for(db, revision, "reject")
            self._decide(db, revision, "rejected", by, reason)
            self.records.audit(by, role, f"{row['kind']}.reject", target=row["name"],
                               revision=revision, detail={"reason": reason},
                               db=db)  # audit() masks secrets
        return self.get(revision, body=False)

    def rollback(self, kind: str, name: str, to_revision: int, by: str, *,
                 role: str) -> RevisionInfo:
        """Make an approved revision of `kind` `name` live again (the list keeps all)."""
        with self.database.write() as db:
            row = _row(db, to_revision)
            if (row["kind"], row["name"]) != (kind, name):
                raise RevisionConflict(
                    f"revision {to_revision} belongs to {row['kind']} {row['name']!r}, not "
                    f"{kind} {name!r}; pick one from GET /api/revisions?kind={kind}&name={name}")
            if row["state"] != "approved":
                raise RevisionConflict(
                    f"revision {to_revision} is {row['state']}; only a revision approved before "
                    "can be rolled back to")
            current = db.execute("SELECT revision FROM live WHERE kind = ? AND name = ?",
                                 (kind, name)).fetchone()
            if current is not None and current["revision"] == to_revision:
                raise RevisionConflict(f"revision {to_revision} is live already; nothing to do")
            refs = _refs_of_body(kind, row["body"])
            self.assets.check_stored(db, refs)
            # Deleting an asset drops its links from superseded revisions; put them back.
            db.executemany("INSERT OR IGNORE INTO revision_assets (revision, sha256) VALUES (?, ?)",
                           [(to_revision, ref.removeprefix("sha256:")) for ref in refs])
            make_live(db, self.database.stamp(), kind, name, to_revision,
                      ACTIVATE_KEY[kind] if kind == "schedule" else None)
            self.records.audit(by, role, f"{kind}.rollback", target=name, revision=to_revision,
                               detail={"from": current["revision"] if current else None}, db=db)
        return self.get(to_revision, body=False)

    def all(self, kind: str | None = None, name: str | None = None,
            limit: int = 200, state: str | None = None) -> list[RevisionInfo]:
        """Revisions newest first, with their states and who did what when."""
        rows = self.database.query(
            f"SELECT {_COLUMNS} FROM revisions r WHERE (? IS NULL OR r.kind = ?) "
            "AND (? IS NULL OR r.name = ?) AND (? IS NULL OR r.state = ?) "
            "ORDER BY r.id DESC LIMIT ?",
            (kind, kind, name, name, state, state, limit))
        return [_info(row, body=False) for row in rows]

    def count(self, state: str) -> int:
        """How many revisions are in `state` (the approvals page's heading)."""
        return self.database.query("SELECT count(*) AS n FROM revisions WHERE state = ?",
                                   (state,))[0]["n"]

    def decided(self, author: str | None = None, name: str | None = None,
                limit: int = 10) -> list[RevisionInfo]:
        """The latest approvals and rejections (of `author`'s revisions, of `name`)."""
        rows = self.database.query(
            f"SELECT {_COLUMNS} FROM revisions r WHERE r.state IN ('approved', 'rejected') "
            "AND (? IS NULL OR r.author = ?) AND (? IS NULL OR r.name = ?) "
            "ORDER BY r.decided_at DESC, r.id DESC LIMIT ?",
            (author, author, name, name, limit))
        return [_info(row, body=False) for row in rows]

    def latest_per_name(self, kind: str) -> list[RevisionInfo]:
        """The newest revision of each name of `kind`, newest first (for listings: every
        name, however many revisions the others have)."""
        rows = self.database.query(
            f"SELECT {_COLUMNS} FROM revisions r WHERE r.id IN (SELECT MAX(id) FROM revisions "
            "WHERE kind = ? GROUP BY name) ORDER BY r.id DESC", (kind,))
        return [_info(row, body=False) for row in rows]

    def live_ids(self, kind: str) -> dict[str, int]:
        """name -> the revision the player follows, for every live name of `kind`."""
        return {row["name"]: row["revision"] for row in self.database.query(
            "SELECT name, revision FROM live WHERE kind = ?", (kind,))}

    def get(self, revision_id: int, body: bool = True) -> RevisionInfo:
        """One revision, with its document unless `body` is False; RevisionNotFound."""
        rows = self.database.query(f"SELECT {_COLUMNS}, r.body FROM revisions r WHERE r.id = ?",
                                   (revision_id,))
        if not rows:
            raise RevisionNotFound(_not_found(revision_id))
        return _info(rows[0], body=body)

    def _decide(self, db: sqlite3.Connection, revision: int, state: str, by: str,
                reason: str | None) -> None:
        db.execute("UPDATE revisions SET state = ?, decided_by = ?, decided_at = ?, reason = ? "
                   "WHERE id = ?", (state, by, self.database.stamp(), reason, revision))


_COLUMNS = ("r.id, r.kind, r.name, r.state, r.author, r.created_at, r.submitted_by, "
            "r.submitted_at, r.decided_by, r.decided_at, r.reason, "
            "EXISTS (SELECT 1 FROM live l WHERE l.revision = r.id) AS is_live")


def _info(row: sqlite3.Row, body: bool) -> RevisionInfo:
    return RevisionInfo(
        id=row["id"], kind=row["kind"], name=row["name"], state=row["state"],
        live=bool(row["is_live"]), author=row["author"], created_at=row["created_at"],
        submitted_by=row["submitted_by"], submitted_at=row["submitted_at"],
        decided_by=row["decided_by"], decided_at=row["decided_at"], reason=row["reason"],
        body=json.loads(row["body"]) if body else None,
    )


def _not_found(revision: int) -> str:
    return f"no revision has the id {revision}; list them with GET /api/revisions"


def _row(db: sqlite3.Connection, revision: int) -> sqlite3.Row:
    row = db.execute("SELECT * FROM revisions WHERE id = ?", (revision,)).fetchone()
    if row is None:
        raise RevisionNotFound(_not_found(revision))
    return row


def _row_for(db: sqlite3.Connection, revision: int, action: str) -> sqlite3.Row:
    """The revision's row if its state allows `action`, else RevisionConflict saying why."""
    row = _row(db, revision)
    allowed, done = _ALLOWED[action]
    if row["state"] not in allowed:
        next_step = _NEXT_STEP[row["state"]].replace("{id}", str(revision))
        raise RevisionConflict(f"revision {revision} is {row['state']}; only a "
                               f"{' or '.join(allowed)} revision can be {done}: {next_step}")
    return row


def _check_kind(kind: str, document) -> None:
    from signage.schedule.rules import Schedule

    expected = {"playlist": Playlist, "schedule": Schedule}.get(kind)
    if expected is None:
        raise StoreError(f"kind {kind!r} is unknown; choose one of {', '.join(REVISION_KINDS)}")
    if not isinstance(document, expected):
        raise StoreError(f"a {kind} draft needs a validated {expected.__name__}, not "
                         f"{type(document).__name__}")


def _refs_of(document) -> list[str]:
    refs = sorted(document.asset_refs()) if isinstance(document, Playlist) else []
    for ref in refs:
        if not is_stored_ref(ref):
            raise AssetMissing(f"asset {ref!r} is a file path; upload the image first and name "
                               "it sha256:<hex>", ref)
    return refs


def _refs_of_body(kind: str, body: str) -> list[str]:
    return _refs_of(Playlist.model_validate_json(body)) if kind == "playlist" else []
