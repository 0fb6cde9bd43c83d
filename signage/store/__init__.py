"""The only code that touches signage.db, assets/ and the runtime directory's files.

`database` opens the SQLite store (WAL, migrations) and holds published content, assets,
emergencies and overrides; `revisions`, `access` and `records` hold the approval workflow,
people and tokens, and the audit log and proof of play; `runtime` writes and reads the
player's observed state (status.json, snapshots) atomically.

May import: sqlite3, `signage.schedule`, `signage.content` and the top-level `signage.clock`,
`signage.errors`, `signage.settings`. Never: pygame, fastapi, starlette, serial, av, nor the
packages above it (media, render, player, services, api, console, cli)."""
