"""Error roots. Every error says what went wrong and what to do next."""


class SignageError(Exception):
    """Root of the application's errors."""


class ContentError(SignageError):
    """Content that cannot be accepted; `problems` lists (path, reason) pairs."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in problems))


class StoreError(SignageError):
    """The data directory or database cannot do what was asked."""


class AssetMissing(StoreError):
    """Content names an asset the store does not hold; `ref` says which."""

    def __init__(self, message: str, ref: str | None = None):
        super().__init__(message)
        self.ref = ref
