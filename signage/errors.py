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
