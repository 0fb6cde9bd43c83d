"""Error roots. Every error says what went wrong and what to do next."""


class SignageError(Exception):
    """Root of the application's errors."""


class ContentError(SignageError):
    """Content that cannot be accepted; `problems` lists (path, reason) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in problems))


class StoreError(SignageError):
    """The data directory or database cannot do what was asked.

    `retryable` is True when trying again soon may succeed (another process holds the
    database's write lock); refusals and damage are not retryable."""

    retryable: bool = False
    state = "store unavailable"  # what health and status say (StoreDamaged: "store damaged")


class StoreUnavailable(StoreError):
    """SQLite failed: the database is locked by another writer (`retryable`), damaged, or
    its disk failed. The sqlite3 error is kept as `__cause__`."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class AssetMissing(StoreError):
    """Content names an asset the store does not hold; `ref` says which."""

    def __init__(self, message: str, ref: str | None = None):
        super().__init__(message)
        self.ref = ref


class StoreDamaged(StoreUnavailable):
    """signage.db exists but is empty, truncated or not a database: it is never replaced
    by a new one (that would lose every playlist, account and audit line)."""

    state = "store damaged"


class StoreReadOnly(StoreUnavailable):
    """The data directory is read-only (a failing SD card is remounted so): reads work,
    writes are refused."""

    state = "store read-only"


class StoreFull(StoreUnavailable):
    """The disk under the data directory is full (ENOSPC, SQLITE_FULL)."""

    state = "disk full"
