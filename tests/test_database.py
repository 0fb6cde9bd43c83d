"""The connection policy: whatever SQLite raises leaves the store as a StoreError, retryable
when another process holds the write lock, and the API answers 503 for it."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from typing import Iterator

import httpx
import pytest

from signage.api import create_app
from signage.content.models import Playlist
from signage.errors import StoreDamaged, StoreError, StoreUnavailable
from signage.store import Store
from signage.store.records import Play
from tests.test_api import bearer, serve

BUSY_TIMEOUT_S = 0.05  # how long a write waits for the lock here: the tests wait no longer
START = dt.datetime(2027, 2, 6, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def store(settings, clock) -> Iterator[Store]:
    store = Store(settings.data_dir, clock, busy_timeout_s=BUSY_TIMEOUT_S)
    yield store
    store.close()


@contextlib.contextmanager
def another_writer(settings) -> Iterator[None]:
    """Another process's connection in the middle of a write: it holds SQLite's lock."""
    other = sqlite3.connect(settings.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def playlist(name: str = "welcome") -> Playlist:
    return Playlist.model_validate({"name": name, "items": [
        {"kind": "message", "text": {"vi": "Xin chào", "en": "Hello", "zh": "你好"}}]})


def damage_the_plays(settings, store: Store) -> None:
    """Many plays written, then the pages that hold them overwritten (the store closed)."""
    store.records.record_plays([Play(START, START + dt.timedelta(seconds=1), "main", "p", 1,
                                     "message", "x" * 150, 1, None) for _ in range(200)])
    store.close()
    db = sqlite3.connect(settings.db_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into signage.db itself
    db.close()
    with open(settings.db_path, "r+b") as file:  # the plays' pages are the newest, last
        size = file.seek(0, 2)
        file.seek(size - 8 * 4096)
        file.write(b"\xff" * 8 * 4096)


@pytest.mark.parametrize("write", [
    lambda store: store.desired.set_override("power", False, "duc"),
    lambda store: store.access.create_user("lan", "editor", "a long enough password"),
    lambda store: store.access.create_token("ops", "admin"),
    lambda store: store.content.publish_playlist(playlist(), "tester"),
    lambda store: store.revisions.save_draft("playlist", playlist(), "lan", role="editor"),
    lambda store: store.records.audit("lan", "editor", "playlist.save"),
], ids=["override", "user", "token", "publish", "draft", "audit"])
def test_a_write_while_another_process_writes_is_a_retryable_store_error(store, settings, write):
    with another_writer(settings):
        with pytest.raises(StoreError) as busy:
            write(store)
        assert store.content.live_revision() is None  # readers are not held up (WAL)

    assert isinstance(busy.value, StoreUnavailable) and busy.value.retryable
    assert isinstance(busy.value.__cause__, sqlite3.OperationalError)
    assert "try again in a moment" in str(busy.value)
    write(store)  # the lock is free again: the same write succeeds


def test_a_damaged_file_is_a_store_error_that_is_not_retryable(settings, clock):
    settings.data_dir.mkdir(parents=True)
    settings.db_path.write_bytes(b"not a database, whatever it once was" * 200)

    with pytest.raises(StoreError) as damaged:
        Store(settings.data_dir, clock)

    assert not isinstance(damaged.value, sqlite3.Error) and not damaged.value.retryable
    assert isinstance(damaged.value, StoreDamaged)
    assert "store damaged" in str(damaged.value) and "backup" in str(damaged.value)


def test_damaged_pages_surface_through_the_repositories_as_store_errors(settings, clock, store):
    damage_the_plays(settings, store)
    reopened = Store(settings.data_dir, clock)  # the pages it needs to open are intact
    try:
        with pytest.raises(StoreError) as damaged:
            reopened.records.plays(START - dt.timedelta(days=1), START + dt.timedelta(days=1))
    finally:
        reopened.close()

    assert isinstance(damaged.value, StoreUnavailable) and not damaged.value.retryable
    assert isinstance(damaged.value.__cause__, sqlite3.DatabaseError)
    assert isinstance(damaged.value, StoreDamaged) and "store damaged" in str(damaged.value)


def test_a_refusal_is_a_store_error_but_not_a_database_failure(store):
    store.access.create_token("ops", "admin")
    with pytest.raises(StoreError, match="exists") as refused:
        store.access.create_token("ops", "admin")
    assert not isinstance(refused.value, StoreUnavailable) and not refused.value.retryable


def test_a_commit_that_fails_leaves_the_connection_ready_for_the_next_write(store):
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        with store.database.write() as db:
            db.execute("PRAGMA defer_foreign_keys=ON")  # checked at COMMIT, which fails
            db.execute("INSERT INTO revision_assets VALUES (999, 'nothing')")

    store.desired.set_override("power", False, "duc")  # no transaction was left open
    assert set(store.desired.overrides()) == {"power"}


# --- through the API -----------------------------------------------------------------------


@pytest.fixture
def client(settings, clock, store) -> Iterator[httpx.Client]:
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            yield client


def test_a_busy_database_is_a_503_with_retry_after(client, store, settings):
    tech, admin = bearer(store, "technician"), bearer(store, "admin")
    for headers in (tech, admin):  # a token's first use is written; not while it is locked
        assert client.get("/api/panel", headers=headers).status_code in (200, 403)

    with another_writer(settings):
        power = client.put("/api/panel/power", json={"on": False}, headers=tech)
        person = client.post("/api/users", json={"name": "lan", "role": "editor",
                                                 "password": "a long enough password"},
                             headers=admin)
        read = client.get("/api/panel", headers=tech)

    for answer in (power, person):  # a busy database is not a refusal (409) nor a bug (500)
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "1"
        assert "busy" in answer.json()["detail"]
    assert read.status_code == 200
    assert client.put("/api/panel/power", json={"on": False}, headers=tech).status_code == 200


def test_a_damaged_database_is_a_503_without_retry_after(settings, clock, store):
    damage_the_plays(settings, store)
    reopened = Store(settings.data_dir, clock)
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    try:
        with serve(create_app(settings, clock, reopened)) as url:
            with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
                window = {"from": "2027-02-01T00:00:00Z", "to": "2027-02-28T00:00:00Z"}
                answer = client.get("/api/plays", params=window,
                                    headers=bearer(reopened, "technician"))
    finally:
        reopened.close()

    assert answer.status_code == 503, answer.text
    assert "Retry-After" not in answer.headers and answer.json()["state"] == "store damaged"
