"""The one way into signage.db: a connection, its lock, its transactions, its errors.

Desired state lives in SQLite in WAL mode, so the API can write while the player reads.
Every repository (assets, content, revisions, desired, access, records) works through one
Database: `write()` for a transaction, `read()` for a consistent snapshot, `query()` for
one statement. Whatever SQLite raises through it leaves as a StoreUnavailable (a
StoreError), retryable when another process holds the write lock, so callers handle one
kind of error and the API can answer 503.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

from signage.clock import Clock, SystemClock, utc_text
from signage.errors import StoreError, StoreUnavailable
from signage.store.schema import MIGRATIONS, statements

DB_NAME = "signage.db"
BUSY_TIMEOUT_S = 10.0  # how long a write waits for another process's write lock
# SQLITE_BUSY and SQLITE_LOCKED (primary codes: the low byte of an extended code): another
# connection holds the lock, so the same statement may succeed in a moment.
_BUSY_CODES = (5, 6)


class Database:
    """A connection to signage.db (opened, migrated) shared by the repositories over it."""

    def __init__(self, data_dir: Path, clock: Clock | None = None,
                 busy_timeout_s: float = BUSY_TIMEOUT_S):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        self.clock = clock or SystemClock()
        # Reentrant: a repository may hold it across a file write and the transaction
        # that names the file (assets), and the transaction takes it again.
        self.lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None,
                                       check_same_thread=False, timeout=busy_timeout_s)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # Content is written rarely and must survive a power cut once acknowledged.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (OSError, sqlite3.Error, StoreUnavailable) as exc:
            cause = exc.__cause__ if isinstance(exc, StoreUnavailable) else exc
            if self._db is not None:  # the player retries every few seconds: no leak
                self._db.close()
            raise StoreUnavailable(
                f"cannot open the store in {self.data_dir}: {cause}; check SIGNAGE_DATA_DIR, "
                "that this user may write there, and that signage.db is not damaged",
                retryable=is_busy(cause),
            ) from cause

    def _migrate(self) -> None:
        with self.lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                return
            # Rebuilding a table that others reference needs the foreign-key checks off
            # (SQLite's documented procedure); they are checked as a whole afterwards.
            self._db.execute("PRAGMA foreign_keys=OFF")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                with self.write():
                    for statement in statements(script):
                        self._db.execute(statement)
                    if self._db.execute("PRAGMA foreign_key_check").fetchall():
                        raise sqlite3.IntegrityError(f"migration {number} broke a foreign key")
                    self._db.execute(f"PRAGMA user_version={number}")
            self._db.execute("PRAGMA foreign_keys=ON")

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        BEGIN IMMEDIATE takes SQLite's write lock at the start, so a block never fails
        half-way because another process began writing after it read."""
        with self.lock, self._translated():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:
                self._rollback()  # a failed COMMIT may leave the transaction open
                raise

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement in the block sees the same snapshot."""
        with self.lock, self._translated():
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Every row one statement returns."""
        with self.lock, self._translated():
            return self._db.execute(sql, params).fetchall()

    def stamp(self) -> str:
        """Now, by the store's clock, as the UTC text the tables hold."""
        return utc_text(self.clock.now())

    def close(self) -> None:
        with self.lock, self._translated():
            self._db.close()

    def data_version(self) -> int:
        """Changes whenever another connection commits (cheap; polled by the player)."""
        with self.lock, self._translated():
            return self._db.execute("PRAGMA data_version").fetchone()[0]

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        """sqlite3's errors leave as StoreUnavailable; the store's own StoreErrors pass."""
        try:
            yield
        except sqlite3.Error as exc:
            raise unavailable(exc, self.path) from exc


def is_busy(exc: BaseException) -> bool:
    """Whether SQLite failed only because another connection holds a lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def unavailable(exc: sqlite3.Error, path: Path) -> StoreError:
    """The StoreError to raise for `exc`, saying what to do next."""
    if is_busy(exc):
        return StoreUnavailable(f"the database is busy ({exc}): another process is writing to "
                                f"{path}; try again in a moment", retryable=True)
    return StoreUnavailable(f"the database failed ({exc}); if this persists, check that {path} "
                            "is not damaged and that its disk has room", retryable=False)
