"""The database's schema: numbered migrations, run once each, in order.

A database records how many have run in `PRAGMA user_version`; opening it runs the rest,
each in one transaction. Migrations are never edited once released (boxes in the field
hold databases made by every earlier version): a change is a new migration at the end.
"""

from __future__ import annotations

import sqlite3

# Migration 11's triggers: one play added to, or taken from, its day's row in plays_by_day
# (NULL playlist, item and emergency match with IS). Part of a released migration: never
# change these; a change is a new migration.
_DAY_ROW = ("day = substr({p}.started_at, 1, 10) AND playlist IS {p}.playlist AND "
            "zone = {p}.zone AND item IS {p}.item AND kind = {p}.kind AND "
            "emergency IS {p}.emergency AND revision IS {p}.revision")
_SECONDS = "(julianday({p}.ended_at) - julianday({p}.started_at)) * 86400.0"
_ADD_PLAY = (
    "UPDATE plays_by_day SET plays = plays + 1, seconds = seconds + " + _SECONDS + ", "
    "untrusted_plays = untrusted_plays + ({p}.clock_trusted = 0), label = max(label, {p}.label) "
    "WHERE " + _DAY_ROW + "; "
    "INSERT INTO plays_by_day SELECT substr({p}.started_at, 1, 10), {p}.playlist, {p}.zone, "
    "{p}.item, {p}.kind, {p}.emergency, {p}.revision, {p}.label, 1, " + _SECONDS + ", "
    "{p}.clock_trusted = 0 "
    "WHERE NOT EXISTS (SELECT 1 FROM plays_by_day WHERE " + _DAY_ROW + "); "
    "UPDATE plays_longest SET seconds = max(seconds, " + _SECONDS + "); ").format(p="NEW")
_REMOVE_PLAY = (
    "UPDATE plays_by_day SET plays = plays - 1, seconds = seconds - " + _SECONDS + ", "
    "untrusted_plays = untrusted_plays - ({p}.clock_trusted = 0) WHERE " + _DAY_ROW + "; "
    "DELETE FROM plays_by_day WHERE plays <= 0 AND " + _DAY_ROW + "; ").format(p="OLD")

MIGRATIONS = [
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
    # 7: an approver's "play now until": one published playlist above the schedule until
    # a time (below emergency notices and test patterns). One row at most.
    """
    CREATE TABLE play_now (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        playlist TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    """,
    # 8: which emergency notice a play showed (null for content), so the monthly summary
    # keeps two notices apart; earlier emergency plays stay null (unknown).
    """
    ALTER TABLE plays ADD COLUMN emergency INTEGER;
    """,
    # 9: separation of duties. A credential an admin makes over the API names its maker
    # ('user:NAME' or 'token:NAME') and does nothing until a different admin confirms it.
    # Those made before, or at the box's console, have no maker: they are trusted as made.
    """
    ALTER TABLE users ADD COLUMN created_by TEXT;
    ALTER TABLE users ADD COLUMN confirmed_by TEXT;
    ALTER TABLE users ADD COLUMN confirmed_at TEXT;
    ALTER TABLE tokens ADD COLUMN created_by TEXT;
    ALTER TABLE tokens ADD COLUMN confirmed_by TEXT;
    ALTER TABLE tokens ADD COLUMN confirmed_at TEXT;
    """,
    # 10: background jobs (transcoding an uploaded film to the panel's size), with the
    # progress the console shows; `output` names the file the job made, once done.
    """
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued'
            CHECK (state IN ('queued', 'running', 'done', 'failed')),
        percent REAL NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
        detail TEXT,
        output TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX jobs_by_target ON jobs (target, id);
    """,
    # 11: proof of play summed per UTC day, item and revision (whose playlist names the
    # department) as plays are recorded (triggers keep
    # it in step with every insert and prune), so a month's or a year's report reads a few
    # thousand day rows instead of grouping every play (100,000 plays: 45 ms of a 50 ms
    # page). Reports add the raw plays of the part-days at their edges (local midnight is
    # not UTC's). And the longest play ever recorded (never lowered: a bound), so the plays
    # overlapping a window are found from an index range near the window, not by reading
    # every play that started before its end. And the revisions that name an asset found
    # by the asset (the media library's "where is it used": 280 ms for 500 assets, each
    # scanning every revision; 9 ms with the index).
    """
    CREATE TABLE plays_by_day (
        day TEXT NOT NULL,
        playlist TEXT,
        zone TEXT NOT NULL,
        item INTEGER,
        kind TEXT NOT NULL,
        emergency INTEGER,
        revision INTEGER,
        label TEXT NOT NULL,
        plays INTEGER NOT NULL,
        seconds REAL NOT NULL,
        untrusted_plays INTEGER NOT NULL
    );
    CREATE INDEX plays_by_day_key ON plays_by_day (day, playlist, zone, item, kind, emergency,
                                                   revision);
    CREATE INDEX revision_assets_by_asset ON revision_assets (sha256, revision);
    CREATE TABLE plays_longest (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seconds REAL NOT NULL
    );
    INSERT INTO plays_longest
        SELECT 1, coalesce(max((julianday(ended_at) - julianday(started_at)) * 86400.0), 0)
        FROM plays;
    INSERT INTO plays_by_day
        SELECT substr(started_at, 1, 10), playlist, zone, item, kind, emergency, revision,
               max(label), count(*),
               sum((julianday(ended_at) - julianday(started_at)) * 86400.0),
               sum(clock_trusted = 0)
        FROM plays GROUP BY 1, 2, 3, 4, 5, 6, 7;
    """ + "".join(
        f"""
    CREATE TRIGGER plays_by_day_{event.lower()} AFTER {event} ON plays BEGIN {body} END;
    """ for event, body in (("INSERT", _ADD_PLAY), ("DELETE", _REMOVE_PLAY),
                            ("UPDATE", _REMOVE_PLAY + _ADD_PLAY))),
]


def statements(script: str) -> list[str]:
    """A migration script cut into whole statements (a trigger body holds ';' too)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending)
            pending = ""
    return statements
