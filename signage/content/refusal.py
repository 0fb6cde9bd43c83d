"""A refusal from a content check, with a stable code (worded by signage.content.wording)."""

from __future__ import annotations

from typing import Any


class Refusal(ValueError):
    """A ValueError with a stable code and params (signage.content.wording words it in vi
    and en); still a ValueError, so callers outside pydantic catch it as before."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params
