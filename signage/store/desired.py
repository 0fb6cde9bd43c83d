"""Desired state besides content: emergency notices, technician overrides, and the newest
wall time known to have passed (the player's mark for trusting its clock).

Stored as desired state, so it survives restarts of either process; the player reads it
(signage.player.wanted) and decides (signage.schedule.desired).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from signage.clock import utc_text
from signage.content.controls import PanelSetting
from signage.content.models import Message
from signage.errors import StoreError
from signage.schedule.state import Emergency, Override, PlayNow
from signage.store.database import Database
from signage.store.records import Records


class Desired:
    """Emergencies, overrides and the time mark.

    Posting or cancelling a notice with a role writes its audit entry through `records`
    in the same transaction."""

    def __init__(self, database: Database, records: Records):
        self.database = database
        self.records = records

    # --- emergency messages ---------------------------------------------------------

    def add_emergency(self, message: Message, expires_at: dt.datetime, author: str,
                      priority: int = 100, starts_at: dt.datetime | None = None,
                      role: str | None = None) -> Emergency:
        """Store an emergency message; the player shows it from `starts_at` (default now).
        With `role`, the audit log records it in the same transaction."""
        clock = self.database.clock
        starts_at = starts_at or clock.now()
        if expires_at <= starts_at:
            raise StoreError("expires_at must be after starts_at; give a later expiry")
        with self.database.write() as db:
            cursor = db.execute(
                "INSERT INTO emergencies (message, priority, starts_at, expires_at, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (message.model_dump_json(), priority, utc_text(starts_at), utc_text(expires_at),
                 author, utc_text(clock.now())),
            )
            if role is not None:  # the text stays out: the notice itself is kept above
                self.records.audit(
                    author, role, "emergency.create", target=f"emergency {cursor.lastrowid}",
                    detail={"priority": priority, "starts_at": utc_text(starts_at),
                            "expires_at": utc_text(expires_at)}, db=db)
        return self.emergency(cursor.lastrowid)

    def cancel_emergency(self, emergency_id: int, by: str, role: str | None = None) -> Emergency:
        """End a notice now (one already over is left as it is); StoreError if none has the id."""
        with self.database.write() as db:
            cursor = db.execute(
                "UPDATE emergencies SET cancelled_at = ?, cancelled_by = ? "
                "WHERE id = ? AND cancelled_at IS NULL",
                (utc_text(self.database.clock.now()), by, emergency_id),
            )
            if cursor.rowcount == 0 and not db.execute(
                "SELECT 1 FROM emergencies WHERE id = ?", (emergency_id,)
            ).fetchone():
                raise StoreError(f"no emergency message has id {emergency_id}")
            if role is not None and cursor.rowcount:
                self.records.audit(by, role, "emergency.cancel",
                                   target=f"emergency {emergency_id}", db=db)
        return self.emergency(emergency_id)

    def emergency(self, emergency_id: int) -> Emergency:
        rows = self.database.query("SELECT * FROM emergencies WHERE id = ?", (emergency_id,))
        if not rows:
            raise StoreError(f"no emergency message has id {emergency_id}")
        return _emergency(rows[0])

    def emergencies(self, current_at: dt.datetime | None = None) -> list[Emergency]:
        """All emergency messages, newest first; with `current_at`, only those not yet
        over then (active or still to start), highest priority first."""
        if current_at is None:
            rows = self.database.query("SELECT * FROM emergencies ORDER BY id DESC")
        else:
            rows = self.database.query(
                "SELECT * FROM emergencies WHERE cancelled_at IS NULL AND expires_at > ? "
                "ORDER BY priority DESC, id DESC", (utc_text(current_at),)
            )
        return [_emergency(row) for row in rows]

    # --- technician overrides -------------------------------------------------------

    def set_override(self, kind: str, value: object, by: str,
                     expires_at: dt.datetime | None = None) -> Override:
        if kind not in set(PanelSetting):
            raise StoreError(f"override {kind!r} is unknown; choose one of {', '.join(PanelSetting)}")
        with self.database.write() as db:
            db.execute(
                "INSERT INTO overrides (kind, value, expires_at, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET value = excluded.value, expires_at = "
                "excluded.expires_at, set_by = excluded.set_by, set_at = excluded.set_at",
                (kind, json.dumps(value), utc_text(expires_at) if expires_at else None, by,
                 utc_text(self.database.clock.now())),
            )
        return self.overrides()[kind]

    def clear_override(self, kind: str) -> None:
        with self.database.write() as db:
            db.execute("DELETE FROM overrides WHERE kind = ?", (kind,))

    def overrides(self, active_at: dt.datetime | None = None) -> dict[str, Override]:
        """Overrides by kind; with `active_at`, only those not expired then."""
        found = {}
        for row in self.database.query("SELECT * FROM overrides"):
            override = Override(row["kind"], json.loads(row["value"]),
                                _from_utc_text(row["expires_at"]), row["set_by"],
                                _from_utc_text(row["set_at"]))
            if active_at is None or override.active(active_at):
                found[override.kind] = override
        return found

    # --- an approver's play-now -------------------------------------------------------

    def set_play_now(self, playlist: str, expires_at: dt.datetime, by: str, role: str) -> PlayNow:
        """Play `playlist` above the schedule until `expires_at`; audited in the same
        transaction (schedule.play-now)."""
        with self.database.write() as db:
            db.execute(
                "INSERT INTO play_now (id, playlist, expires_at, set_by, set_at) "
                "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET playlist = "
                "excluded.playlist, expires_at = excluded.expires_at, set_by = excluded.set_by, "
                "set_at = excluded.set_at",
                (playlist, utc_text(expires_at), by, utc_text(self.database.clock.now())))
            self.records.audit(by, role, "schedule.play-now", target=f"playlist {playlist}",
                               detail={"until": utc_text(expires_at)}, db=db)
        return self.play_now()

    def clear_play_now(self, by: str, role: str) -> PlayNow | None:
        """End a play-now early; the one that was set, or None. Audited when one was."""
        was = self.play_now()
        with self.database.write() as db:
            if db.execute("DELETE FROM play_now").rowcount and was is not None:
                self.records.audit(by, role, "schedule.play-now.clear",
                                   target=f"playlist {was.playlist}", db=db)
        return was

    def play_now(self, active_at: dt.datetime | None = None) -> PlayNow | None:
        """The play-now set (with `active_at`: only if it has not expired then)."""
        rows = self.database.query("SELECT * FROM play_now")
        if not rows:
            return None
        row = rows[0]
        found = PlayNow(row["playlist"], _from_utc_text(row["expires_at"]), row["set_by"],
                        _from_utc_text(row["set_at"]))
        return found if active_at is None or found.active(active_at) else None

    # --- the newest time seen (trusted time) ------------------------------------------

    def newest_seen_time(self) -> dt.datetime | None:
        """The newest wall time known to have passed: the player's saved mark, or a later
        moment when content was published (that clock was right then, or nobody noticed)."""
        rows = self.database.query(
            "SELECT max(newest) AS t FROM (SELECT newest FROM clock_seen UNION ALL "
            "SELECT max(created_at) FROM revisions)"
        )
        return _from_utc_text(rows[0]["t"]) if rows and rows[0]["t"] else None

    def record_seen_time(self, moment: dt.datetime) -> None:
        """Raise the stored high-water mark of wall time to `moment` (never lowers it)."""
        text = utc_text(moment)
        with self.database.write() as db:
            db.execute(
                "INSERT INTO clock_seen (id, newest) VALUES (1, ?) ON CONFLICT (id) DO UPDATE "
                "SET newest = max(newest, excluded.newest)", (text,)
            )


def _from_utc_text(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _emergency(row: sqlite3.Row) -> Emergency:
    return Emergency(
        id=row["id"], message=Message.model_validate_json(row["message"]),
        priority=row["priority"], starts_at=_from_utc_text(row["starts_at"]),
        expires_at=_from_utc_text(row["expires_at"]), created_by=row["created_by"],
        created_at=_from_utc_text(row["created_at"]),
        cancelled_at=_from_utc_text(row["cancelled_at"]), cancelled_by=row["cancelled_by"],
    )
