"""Records that are only ever added to: the audit log and proof of play.

A repository over the Database. The audit log says who changed what and when; SQLite
triggers refuse any UPDATE or DELETE on it, so not even a bug in this program can rewrite
history. It never holds a secret: callers pass names and ids, never tokens or passwords,
and whatever in a detail looks like one (a token, the word password) is masked before it
is written, so a careless caller can never leak one, nor turn a request into an error.
Proof of play says what the wall showed, item by item; the player writes it in batches
so an SD card is not written on every frame.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sqlite3
from typing import Iterable

from signage.clock import utc_text
from signage.store.database import Database

MAX_DETAIL_CHARS = 2000
PLAY_TIMESPEC = "milliseconds"  # items can be shorter than a second
# Never stored in the audit log: a whole API or session token (signage.store.access's
# prefixes, then token_urlsafe characters), and the value that follows a word that
# announces a secret ("the password hunter2hunter2", "secret: 1234", "mật khẩu là abc",
# "密码 abc"). The value ends at a space, quote, backslash or , ; so JSON stays valid.
_SECRET_WORDS = (r"pass(?:word|wd|phrase)?|pwd|secret|api[ _-]?key"
                 r"|m[ậa]t kh[ẩa]u|密码|口令")
SECRETS = re.compile(
    r"sg[ns]_[A-Za-z0-9_-]*"
    rf"|(?P<word>\b(?:{_SECRET_WORDS}))(?P<gap>\"?\s*(?:(?:is|was|=|:|là|:=)\s*)?\"?\s*)"
    r"(?P<value>[^\s\"\\,;]+)",
    re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    role: str
    action: str
    target: str | None
    revision: int | None
    detail: dict

    def as_dict(self) -> dict:
        return shallow_dict(self)


@dataclasses.dataclass(frozen=True)
class Play:
    """One item shown in one zone from start to end, and the first full frame's hash."""

    started_at: dt.datetime
    ended_at: dt.datetime
    zone: str
    playlist: str | None
    item: int | None
    kind: str
    label: str
    revision: int | None
    frame_sha256: str | None
    # False when the wall clock was not believed (set back, before the release) or jumped
    # while the item was on screen: its times and length may be wrong.
    clock_trusted: bool = True
    emergency: int | None = None  # the emergency notice's id when one was on screen

    def as_dict(self) -> dict:
        data = shallow_dict(self)
        data["started_at"], data["ended_at"] = self.started_at.isoformat(), self.ended_at.isoformat()
        data["seconds"] = round((self.ended_at - self.started_at).total_seconds(), 3)
        return data


def shallow_dict(record) -> dict:
    """A dataclass record's fields as a dict, its values as they are. Not
    dataclasses.asdict: its deep copy was a third of listing a day's plays, and a
    quarter of listing the audit log; nothing here changes what it is given."""
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}


def redact_secrets(text: str) -> str:
    """`text` with every token, and the value after each secret-looking word, masked.

    >>> redact_secrets("token sgn_Ab-9_x rejected; the Password hunter2hunter2 leaked")
    'token [redacted] rejected; the Password [redacted] leaked'
    >>> redact_secrets('{"note": "secret: 1234", "mật khẩu": "abc"}')
    '{"note": "secret: [redacted]", "mật khẩu": "[redacted]"}'
    """
    def mask(match: re.Match) -> str:
        if match.group("word") is None:
            return "[redacted]"
        return f"{match.group('word')}{match.group('gap')}[redacted]"

    return SECRETS.sub(mask, text)


class Records:
    """The audit log and proof of play."""

    def __init__(self, database: Database):
        self.database = database

    def audit(self, actor: str, role: str, action: str, target: str | None = None,
              revision: int | None = None, detail: dict | None = None,
              db: sqlite3.Connection | None = None) -> None:
        """Append one entry; pass `db` to write it in the caller's transaction (the
        repositories that change something log it so: the change and its entry commit
        together or not at all)."""
        text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
        if SECRETS.search(text):  # masked inside JSON strings and keys: still valid JSON
            text = redact_secrets(text)
        if len(text) > MAX_DETAIL_CHARS:
            text = json.dumps({"truncated": text[:MAX_DETAIL_CHARS]}, ensure_ascii=False)
        row = (self.database.stamp(), actor, role, action, target, revision, text)
        sql = ("INSERT INTO audit (at, actor, role, action, target, revision, detail) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
        if db is not None:
            db.execute(sql, row)
            return
        with self.database.write() as write:
            write.execute(sql, row)

    def audit_log(self, since_id: int = 0, limit: int = 500) -> list[AuditEntry]:
        rows = self.database.query("SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?", (since_id, limit))
        return [AuditEntry(r["id"], r["at"], r["actor"], r["role"], r["action"], r["target"],
                           r["revision"], json.loads(r["detail"])) for r in rows]

    def audit_page(self, *, actor: str | None = None, action: str | None = None,
                   start: dt.datetime | None = None, end: dt.datetime | None = None,
                   before_id: int | None = None, limit: int = 50) -> list[AuditEntry]:
        """One page of the log, newest first: entries older than `before_id` (keyset
        paging, so a page costs the same however deep), by `actor`, with `action` or an
        action under it ('panel' finds panel.brightness), at or after `start`, before `end`."""
        where, params = ["1 = 1"], []
        if actor:
            where.append("actor = ?")
            params.append(actor)
        if action:
            where.append("(action = ? OR action LIKE ? ESCAPE '\\')")
            params += [action, _like_prefix(action) + ".%"]
        if start is not None:
            where.append("at >= ?")
            params.append(utc_text(start))
        if end is not None:
            where.append("at < ?")
            params.append(utc_text(end))
        if before_id is not None:
            where.append("id < ?")
            params.append(before_id)
        rows = self.database.query(
            f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
            (*params, limit))
        return [AuditEntry(r["id"], r["at"], r["actor"], r["role"], r["action"], r["target"],
                           r["revision"], json.loads(r["detail"])) for r in rows]

    def record_plays(self, plays: Iterable[Play]) -> int:
        """Store a batch of plays in one transaction; the number stored."""
        rows = [(utc_text(p.started_at, PLAY_TIMESPEC), utc_text(p.ended_at, PLAY_TIMESPEC),
                 p.zone, p.playlist, p.item, p.kind,
                 p.label[:200], p.revision, p.frame_sha256, int(p.clock_trusted), p.emergency)
                for p in plays]
        if rows:
            with self.database.write() as db:
                db.executemany(
                    "INSERT INTO plays (started_at, ended_at, zone, playlist, item, kind, label, "
                    "revision, frame_sha256, clock_trusted, emergency) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def prune_plays(self, started_before: dt.datetime, batch: int = 5000) -> int:
        """Delete plays older than `started_before`; how many.

        Only a play timed by a trusted clock proves its age. So the cut is made in the
        order plays were recorded (ids), up to the newest trusted play that started
        before `started_before`: a play timed while the clock was doubtful goes only once
        a trusted play recorded after it is itself past the keep period, however old or
        new its own stamp says it is. The newest play always stays. In batches, so no one
        transaction holds the write lock long on a slow card."""
        cutoff, deleted = utc_text(started_before, PLAY_TIMESPEC), 0
        rows = self.database.query(
            "SELECT (SELECT max(id) FROM plays WHERE clock_trusted = 1 AND started_at < ?) AS cut, "
            "(SELECT max(id) FROM plays) AS newest", (cutoff,))
        if not rows or rows[0]["cut"] is None:
            return 0
        boundary = min(rows[0]["cut"], rows[0]["newest"] - 1)
        while True:
            with self.database.write() as db:
                gone = db.execute("DELETE FROM plays WHERE id IN (SELECT id FROM plays WHERE "
                                  "id <= ? AND (clock_trusted = 0 OR started_at < ?) ORDER BY id "
                                  "LIMIT ?)", (boundary, cutoff, batch)).rowcount
            deleted += gone
            if gone < batch:
                return deleted

    def plays(self, start: dt.datetime, end: dt.datetime, limit: int = 100_000) -> list[Play]:
        """Plays that overlap [start, end), oldest first."""
        with self.database.read() as db:
            # No play is longer than the longest recorded, so none that overlaps started
            # before `start` less that: the index range stays near the window.
            longest = db.execute("SELECT seconds FROM plays_longest").fetchone()["seconds"]
            earliest = _before(start, longest + 1)
            rows = db.execute(
                "SELECT * FROM plays WHERE started_at >= ? AND started_at < ? AND ended_at > ? "
                "ORDER BY started_at, id LIMIT ?",
                (utc_text(earliest, PLAY_TIMESPEC), utc_text(end, PLAY_TIMESPEC),
                 utc_text(start, PLAY_TIMESPEC), limit)).fetchall()
        return [Play(dt.datetime.fromisoformat(r["started_at"]), dt.datetime.fromisoformat(r["ended_at"]),
                     r["zone"], r["playlist"], r["item"], r["kind"], r["label"], r["revision"],
                     r["frame_sha256"], bool(r["clock_trusted"]), r["emergency"]) for r in rows]

    def play_groups(self, start: dt.datetime, end: dt.datetime) -> list[dict]:
        """Plays started in [start, end) added up in SQL per playlist item (or emergency
        notice) and revision: plays, seconds on screen, plays timed by a clock that could
        not be believed, and the department the revision names ('' when none). A few rows
        per item, for roll_up to total any way; whole days come from plays_by_day."""
        sums, params = _sums_sql(start, end, _ITEM_AND_REVISION, _ITEM_AND_REVISION)
        rows = self.database.query(
            "SELECT g.*, coalesce(json_extract(r.body, '$.department'), '') AS department "
            f"FROM ({sums}) AS g LEFT JOIN revisions AS r ON r.id = g.revision", params)
        return [dict(r) for r in rows]

    def play_summary(self, start: dt.datetime, end: dt.datetime) -> list[dict]:
        """Per playlist item, and per emergency notice, for plays started in [start, end)
        (a month at the site): plays and seconds on screen, and how many of the plays were
        timed by a clock that could not be believed.

        Whole UTC days come from plays_by_day (kept by triggers as plays are recorded and
        pruned); only the part-days at the edges are summed from the plays themselves."""
        sums, params = _sums_sql(start, end, "playlist, zone, item, kind, emergency",
                                 "playlist, zone, item, emergency")
        return [{**dict(r), "seconds": round(r["seconds"], 1)}
                for r in self.database.query(sums, params)]


_ITEM_AND_REVISION = "playlist, zone, item, kind, emergency, revision"


def _sums_sql(start: dt.datetime, end: dt.datetime, keys: str,
              order: str) -> tuple[str, tuple]:
    """The SQL (and its parameters) that sums plays started in [start, end) per `keys`:
    plays_by_day's rows for the whole UTC days inside, the plays themselves for the
    part-days at the edges (local midnight is not UTC's)."""
    whole_from, whole_to = _whole_days(start, end)
    if whole_from < whole_to:
        edges = (start, _midnight(whole_from), _midnight(whole_to), end)
    else:  # under a day, or inside one: every play from the table itself
        edges = (start, end, end, end)
    stamps = [utc_text(moment, PLAY_TIMESPEC) for moment in edges]
    sql = (f"SELECT {keys}, max(label) AS label, sum(plays) AS plays, "
           "sum(seconds) AS seconds, sum(untrusted_plays) AS untrusted_plays FROM ("
           f"SELECT {_ITEM_AND_REVISION}, label, plays, seconds, untrusted_plays "
           "FROM plays_by_day WHERE day >= ? AND day < ? "
           f"UNION ALL {_RAW_PLAYS} UNION ALL {_RAW_PLAYS}) "
           f"GROUP BY {keys} ORDER BY {order}")
    return sql, (whole_from.isoformat(), whole_to.isoformat(), *stamps)


# One play as a row of plays_by_day, for the part-days at a report's edges.
_RAW_PLAYS = ("SELECT playlist, zone, item, kind, emergency, revision, label, 1, "
              "(julianday(ended_at) - julianday(started_at)) * 86400.0, clock_trusted = 0 "
              "FROM plays WHERE started_at >= ? AND started_at < ?")


def _before(moment: dt.datetime, seconds: float) -> dt.datetime:
    """`seconds` before `moment`, or the first moment there is."""
    try:
        return moment - dt.timedelta(seconds=seconds)
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _whole_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The UTC dates [first, last) whose whole days lie inside [start, end)."""
    start, end = start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
    first = start.date() if start == _midnight(start.date()) else start.date() + dt.timedelta(1)
    return first, end.date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


# A playlist item (or an emergency notice) in proof of play; play_summary's rows.
ITEM_KEYS = ("playlist", "zone", "item", "kind", "emergency")


def roll_up(groups: Iterable[dict], keys: tuple[str, ...]) -> list[dict]:
    """play_groups' rows totalled per `keys` (ordered by them, nothing before something),
    seconds rounded to a tenth; the label is the greatest, as SQL's max gives."""
    totals: dict[tuple, dict] = {}
    for group in groups:
        key = tuple(group[k] for k in keys)
        found = totals.setdefault(key, {**{k: group[k] for k in keys}, "label": group["label"],
                                        "plays": 0, "seconds": 0.0, "untrusted_plays": 0})
        found["label"] = max(found["label"], group["label"])
        for measure in ("plays", "seconds", "untrusted_plays"):
            found[measure] += group[measure]
    rows = [totals[key] for key in sorted(totals, key=_nulls_first)]
    for row in rows:
        row["seconds"] = round(row["seconds"], 1)
    return rows


def _nulls_first(key: tuple) -> tuple:
    return tuple((value is not None, value if value is not None else 0) for value in key)


def _like_prefix(text: str) -> str:
    """`text` with LIKE's wildcards escaped (by a backslash), to match it literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
