"""Refusals: what an action answers when it will not do what was asked.

Each carries a stable `code` and `params` beside its English sentence, so every face (the
REST API, the console, the CLI) can say it in its own words and language, and a `kind`
that says which HTTP answer fits; the faces map kinds, never codes, to their answers.
"""

from __future__ import annotations

from typing import Any

from signage.content.documents import Problem
from signage.errors import SignageError


class Refused(SignageError):
    """An action refused; nothing was changed."""

    kind = "invalid"

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return str(self)


class NotFound(Refused):
    """The thing the action names does not exist."""

    kind = "not_found"


class Conflict(Refused):
    """The thing exists, but its state does not allow the action; the message says what does."""

    kind = "conflict"


class Forbidden(Refused):
    """The caller may not do this to this thing (beyond what its role allows anywhere)."""

    kind = "forbidden"


class Busy(Refused):
    """Too much of this work is already waiting; try again after `retry_after_s`."""

    kind = "busy"


class Invalid(Refused):
    """What was sent cannot be accepted; `problems` names every field and what to do.

    `warnings`: what the checks found worth a look besides (they alone would not refuse);
    a face that shows each problem at its field (the console) shows these beside them."""

    kind = "invalid"

    def __init__(self, code: str, message: str, problems: list[Problem], **params: Any):
        super().__init__(code, message, **params)
        self.problems = problems
        self.warnings: list[Problem] = []

    @classmethod
    def field(cls, field: str, code: str, reason: str, **params: Any) -> "Invalid":
        """One field is wrong (a value outside a document: a body field, a form field)."""
        return cls(code, f"{field}: {reason}",
                   [Problem(field, reason, code=code, params=params)], **params)


def counted(problems: list[Problem], what: str, consequence: str) -> str:
    """'playlist 'x' was not saved (2 problems); nothing was changed'."""
    count = len(problems)
    return f"{what} ({count} problem{'s' if count != 1 else ''}); {consequence}"
