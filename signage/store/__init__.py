"""The only code that touches signage.db, assets/ and the runtime directory's files.

`database` is the one connection policy (WAL, migrations from `schema`, the lock,
transactions, sqlite3's errors turned into StoreError). Over it, one repository per kind
of record: `assets` (image files by sha256), `content` (what is published and live),
`revisions` (the approval workflow), `desired` (emergencies, overrides, the time mark),
`access` (people, sessions, API tokens), `records` (the audit log, proof of play) and
`jobs` (background work such as film transcodes, with its progress).
`Store` below opens a Database and wires the repositories; `runtime` writes and reads the
player's observed state (status.json, snapshots) atomically.

May import: sqlite3, `signage.schedule`, `signage.content` and the top-level `signage.clock`,
`signage.errors`, `signage.settings`. Never: pygame, fastapi, starlette, serial, av, nor the
packages above it (media, render, player, services, api, console, cli)."""

from __future__ import annotations

from pathlib import Path

from signage.clock import Clock
from signage.store.access import Access
from signage.store.assets import Assets
from signage.store.content import Content
from signage.store.database import BUSY_TIMEOUT_S, Database
from signage.store.desired import Desired
from signage.store.jobs import Jobs
from signage.store.records import Records
from signage.store.revisions import Revisions


class Store:
    """One open signage.db and the repositories over it; each consumer takes the ones it
    uses (`store.content`, `store.revisions`, ...). Raises StoreError if it cannot open."""

    def __init__(self, data_dir: Path, clock: Clock | None = None,
                 busy_timeout_s: float = BUSY_TIMEOUT_S, reserve_bytes: int = 0):
        self.database = Database(data_dir, clock, busy_timeout_s, reserve_bytes)
        try:
            self.assets = Assets(self.database, self.database.data_dir / "assets")
        except BaseException:
            self.database.close()
            raise
        self.records = Records(self.database)
        self.access = Access(self.database)
        self.content = Content(self.database, self.assets, self.records)
        self.revisions = Revisions(self.database, self.assets, self.records)
        self.desired = Desired(self.database, self.records)
        self.jobs = Jobs(self.database)

    def close(self) -> None:
        self.database.close()
