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
import errno
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

from signage.clock import Clock, SystemClock, utc_text
from signage.errors import StoreDamaged, StoreError, StoreFull, StoreReadOnly, StoreUnavailable
from signage.store.reserve import DiskReserve
from signage.store.schema import MIGRATIONS, statements

DB_NAME = "signage.db"
BUSY_TIMEOUT_S = 10.0  # how long a write waits for another process's write lock
# SQLITE_BUSY and SQLITE_LOCKED (primary codes: the low byte of an extended code): another
# connection holds the lock, so the same statement may succeed in a moment.
_BUSY_CODES = (5, 6)
_READONLY, _CORRUPT, _FULL, _NOTADB = 8, 11, 13, 26
SQLITE_MAGIC = b"SQLite format 3\x00"
RECOVER = ("stop the player and the API, move signage.db aside (keep it: `sqlite3 signage.db "
           ".recover` may save its content), put the newest backup in its place and start "
           "again; meanwhile the wall plays the last good content")


class Database:
    """A connection to signage.db (opened, migrated) shared by the repositories over it."""

    def __init__(self, data_dir: Path, clock: Clock | None = None,
                 busy_timeout_s: float = BUSY_TIMEOUT_S, reserve_bytes: int = 0):
        self.data_dir = Path(data_dir)
        self.reserve = DiskReserve(self.data_dir, reserve_bytes)
        self.path = self.data_dir / DB_NAME
        self.clock = clock or SystemClock()
        # Reentrant: a repository may hold it across a file write and the transaction
        # that names the file (assets), and the transaction takes it again.
        self.lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self.read_only = False
        try:
            check_not_damaged(self.path)
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.read_only = self.path.exists() and not writable(self.data_dir)
            self._db = self._connect(busy_timeout_s)
            self._db.row_factory = sqlite3.Row
            if not self.read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                # Content is written rarely and must survive a power cut once acknowledged.
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            if not self.read_only:
                keep_private(self.data_dir, self.path)
                self.reserve.ensure()
        except (OSError, sqlite3.Error, StoreUnavailable) as exc:
            cause = exc.__cause__ if isinstance(exc, StoreUnavailable) else exc
            if self._db is not None:  # the player retries every few seconds: no leak
                self._db.close()
            if isinstance(exc, StoreUnavailable) and type(exc) is not StoreUnavailable:
                raise  # damaged, read-only or full: it already says what to do
            kind = error_kind(cause) if isinstance(cause, BaseException) else StoreUnavailable
            if kind is not StoreUnavailable:
                raise unavailable(cause, self.path) from cause
            raise StoreUnavailable(
                f"cannot open the store in {self.data_dir}: {cause}; check SIGNAGE_DATA_DIR, "
                "that this user may write there, and that signage.db is not damaged",
                retryable=is_busy(cause),
            ) from cause

    def _connect(self, busy_timeout_s: float) -> sqlite3.Connection:
        """A connection; on a read-only disk, a read-only one (immutable when SQLite cannot
        make the WAL's shared-memory file there: nothing else can write it either)."""
        if not self.read_only:
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=busy_timeout_s)
        for flags in ("mode=ro", "immutable=1"):
            connection = sqlite3.connect(f"file:{self.path}?{flags}", uri=True,
                                         isolation_level=None, check_same_thread=False,
                                         timeout=busy_timeout_s)
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return connection
            except sqlite3.Error as exc:
                connection.close()
                if error_kind(exc) is StoreDamaged or flags == "immutable=1":
                    raise
        raise AssertionError("unreachable")

    def _migrate(self) -> None:
        with self.lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                return
            if self.read_only:
                raise StoreReadOnly(f"{self.path} is on a read-only disk and needs migrating "
                                    "to this release; make the disk writable and start again")
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


def error_kind(exc: BaseException) -> type[StoreUnavailable]:
    """Which StoreError an sqlite3 or OS error is: damaged, read-only, full, or other."""
    if isinstance(exc, OSError):
        return {errno.ENOSPC: StoreFull, errno.EDQUOT: StoreFull,
                errno.EROFS: StoreReadOnly}.get(exc.errno, StoreUnavailable)
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return StoreUnavailable
    return {_READONLY: StoreReadOnly, _CORRUPT: StoreDamaged, _NOTADB: StoreDamaged,
            _FULL: StoreFull}.get(code & 0xFF, StoreUnavailable)


def unavailable(exc: BaseException, path: Path) -> StoreError:
    """The StoreError to raise for `exc`, saying what to do next."""
    if is_busy(exc):
        return StoreUnavailable(f"the database is busy ({exc}): another process is writing to "
                                f"{path}; try again in a moment", retryable=True)
    kind = error_kind(exc)
    if kind is StoreDamaged:
        return StoreDamaged(f"store damaged: {path} cannot be read ({exc}); {RECOVER}")
    if kind is StoreReadOnly:
        return StoreReadOnly(f"store read-only: the disk under {path.parent} is read-only "
                             f"({exc}); content can be read but not changed; check the disk "
                             "(a failing SD card is remounted read-only) and replace it")
    if kind is StoreFull:
        return StoreFull(f"disk full: no room left under {path.parent} ({exc}); delete unused "
                         "assets (DELETE /api/assets/ID) or old files, then try again")
    return StoreUnavailable(f"the database failed ({exc}); if this persists, check that {path} "
                            "is not damaged and that its disk has room", retryable=False)


def check_not_damaged(path: Path) -> None:
    """StoreDamaged if `path` exists but is empty, not SQLite, or shorter than its header
    says. SQLite would take an empty file for a new database and we would build an empty
    store over it: every playlist, account and audit line gone, and health saying ok."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise unavailable(exc, path) from exc
    why = None
    if size == 0:
        why = "it is empty (0 bytes)"
    elif len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        why = "it is not an SQLite database"
    elif _truncated(path, header, size):
        why = f"it is shorter ({size} bytes) than its header says: truncated"
    if why:
        raise StoreDamaged(f"store damaged: {path}: {why}; {RECOVER}")


def _truncated(path: Path, header: bytes, size: int) -> bool:
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]  # the page count is current
    # With a write-ahead log beside it, newer pages may still be in the log.
    wal = path.with_name(path.name + "-wal")
    return header_valid and not wal.exists() and size < pages * page_size


def writable(directory: Path) -> bool:
    """Whether we may create files in `directory` (False on a read-only mount, even for
    root, whom chmod does not stop)."""
    return os.access(directory, os.W_OK) and not os.statvfs(directory).f_flag & os.ST_RDONLY


def keep_private(data_dir: Path, db_path: Path) -> None:
    """Data dir 0700, the database and its WAL files 0600: they hold password hashes and
    tokens' digests. Best effort: a directory someone else owns is left as it is."""
    for path, mode in ((data_dir, 0o700), (db_path, 0o600),
                       (db_path.with_name(db_path.name + "-wal"), 0o600),
                       (db_path.with_name(db_path.name + "-shm"), 0o600)):
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o777 != mode:
                path.chmod(mode)
