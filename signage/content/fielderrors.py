"""Pydantic's validation errors as people read them: the field path they wrote
(items[0].text.zh), a reason, and a stable code with its parameters."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import ValidationError

from signage.content.models import ITEM_KINDS


def error_path(loc: tuple, data: Any) -> tuple:
    """Drop union tags from a pydantic location by walking the data it refers to.

    pydantic puts the discriminator value into `loc` (items, 0, message, text, zh);
    people wrote items[0].text.zh, so a part that names nothing in the data is a tag.
    """
    path: list = []
    node: Any = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and node.get("kind") == part and i < len(loc) - 1:
            continue  # the union tag pydantic inserted
        else:
            node = None
        path.append(part)
    return tuple(path)


def format_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _reason(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field; check its spelling"
    if kind == "union_tag_invalid":
        return "kind must be one of: " + ", ".join(ITEM_KINDS)
    if kind == "union_tag_not_found":
        return "needs a kind: " + ", ".join(ITEM_KINDS)
    message = error["msg"]
    return message.removeprefix("Value error, ")


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One pydantic error as people read it: the path they wrote, a reason, and a stable
    code (pydantic's error type) with its parameters for translated messages."""

    path: tuple
    reason: str
    code: str
    params: dict


def field_errors(exc: ValidationError, data: Any) -> list[FieldError]:
    """Every error of a failed validation, in document order."""
    return [FieldError(error_path(tuple(e["loc"]), data), _reason(e), e["type"],
                       {k: v for k, v in (e.get("ctx") or {}).items()
                        if isinstance(v, (str, int, float, bool))})
            for e in exc.errors()]


def problems_from(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """(path, reason) pairs, in document order, for a failed validation."""
    return [(format_path(error.path), error.reason) for error in field_errors(exc, data)]
