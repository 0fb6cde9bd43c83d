"""Background jobs (transcoding an uploaded film) and the progress the console shows.

A job row is written when the work is queued and updated as it runs; the API reads it
for `GET /api/assets/{id}`. A job left `queued` or `running` by a process that stopped
is marked failed when the next one opens the store (its temporary file is gone with it).
"""

from __future__ import annotations

import dataclasses
import sqlite3

from signage.store.database import Database

JOB_STATES = ("queued", "running", "done", "failed")


@dataclasses.dataclass(frozen=True)
class Job:
    id: int
    kind: str
    target: str
    state: str
    percent: float
    detail: str | None
    output: str | None
    updated_at: str

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "percent": round(self.percent, 1), "detail": self.detail,
                "updated_at": self.updated_at}


class Jobs:
    def __init__(self, database: Database):
        self.database = database

    def add(self, kind: str, target: str) -> int:
        """Queue a job of `kind` on `target` (an asset id); its id."""
        stamp = self.database.stamp()
        with self.database.write() as db:
            cursor = db.execute("INSERT INTO jobs (kind, target, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?)", (kind, target, stamp, stamp))
            return int(cursor.lastrowid)

    def update(self, job_id: int, *, state: str | None = None, percent: float | None = None,
               detail: str | None = None, output: str | None = None) -> None:
        changes = {k: v for k, v in (("state", state), ("percent", percent),
                                     ("detail", detail), ("output", output)) if v is not None}
        if "percent" in changes:
            changes["percent"] = min(max(float(changes["percent"]), 0.0), 100.0)
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self.database.write() as db:
            db.execute(f"UPDATE jobs SET {columns}, updated_at = ? WHERE id = ?",
                       (*changes.values(), self.database.stamp(), job_id))

    def latest(self, target: str, kind: str | None = None) -> Job | None:
        """The newest job on `target` (of `kind`, if given), or None."""
        sql = "SELECT * FROM jobs WHERE target = ?" + (" AND kind = ?" if kind else "")
        rows = self.database.query(sql + " ORDER BY id DESC LIMIT 1",
                                   (target, kind) if kind else (target,))
        return _job(rows[0]) if rows else None

    def get(self, job_id: int) -> Job | None:
        rows = self.database.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def abandon_unfinished(self) -> int:
        """Mark jobs a stopped process left unfinished as failed; how many there were."""
        with self.database.write() as db:
            return db.execute(
                "UPDATE jobs SET state = 'failed', detail = 'stopped before it finished; "
                "upload the film again', updated_at = ? WHERE state IN ('queued', 'running')",
                (self.database.stamp(),)).rowcount


def _job(row: sqlite3.Row) -> Job:
    return Job(row["id"], row["kind"], row["target"], row["state"], row["percent"],
               row["detail"], row["output"], row["updated_at"])
