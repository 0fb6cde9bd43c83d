"""Pydantic's errors as people read them: the path they wrote, a reason, a stable code.

The code is pydantic's error type, or a `Refusal`'s own code for our validators' sentences;
an unknown field gets the nearest known one ("did you mean duration?") among the fields
allowed at that place in the model.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from signage.content.models import ITEM_KINDS, Refusal


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


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One pydantic error as people read it: the path they wrote, a reason, and a stable
    code (pydantic's error type) with its parameters for translated messages."""

    path: tuple
    reason: str
    code: str
    params: dict


def field_errors(exc: ValidationError, data: Any,
                 model: type[BaseModel] | None = None) -> list[FieldError]:
    """Every error of a failed validation, in document order; with `model`, unknown fields
    carry the nearest known field name (params.suggestion)."""
    return [_field_error(e, data, model) for e in exc.errors()]


def problems_from(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """(path, reason) pairs, in document order, for a failed validation."""
    return [(format_path(error.path), error.reason) for error in field_errors(exc, data)]


def _field_error(error: dict, data: Any, model: type[BaseModel] | None) -> FieldError:
    loc = tuple(error["loc"])
    code, reason = error["type"], _reason(error)
    params = {k: v for k, v in (error.get("ctx") or {}).items()
              if isinstance(v, (str, int, float, bool))}
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Refusal):
        code, params = cause.code, dict(cause.params)
    if code == "union_tag_not_found":
        params["kinds"] = ", ".join(ITEM_KINDS)
    if code == "extra_forbidden" and model is not None and loc:
        suggestion = did_you_mean(str(loc[-1]), known_fields(model, loc[:-1]))
        if suggestion:
            params = {"suggestion": suggestion, "mistake": "suggest"}
            reason = f"is not a known field; did you mean {suggestion}?"
    if code == "union_tag_invalid":
        suggestion = did_you_mean(str(params.get("tag", "")), list(ITEM_KINDS))
        if suggestion:
            params = {**params, "suggestion": suggestion, "mistake": "suggest"}
            reason += f"; did you mean {suggestion}?"
    return FieldError(error_path(loc, data), reason, code, params)


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
    return error["msg"].removeprefix("Value error, ")


def did_you_mean(word: str, known: list[str]) -> str | None:
    """The known name closest to a misspelt one (duraton -> duration), or None."""
    word = word.lower()
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        return close[0]
    # Two swapped letters in a short name (ne for en) are too far apart for difflib.
    return next((name for name in known if sorted(name) == sorted(word)), None)


def known_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at `loc` (a pydantic location, union tags included)."""
    candidates = _leaf_models(model)
    for part in loc:
        if isinstance(part, int):
            continue  # list indices: the element types are already the candidates
        tagged = [m for m in candidates if part in _kinds(m)]
        if tagged and not any(part in m.model_fields for m in candidates):
            candidates = tagged  # a union tag pydantic put in the location
            continue
        candidates = [leaf for m in candidates if part in m.model_fields
                      for leaf in _leaf_models(m.model_fields[part].annotation)]
    return sorted({name for m in candidates for name in m.model_fields})


def _kinds(model: type[BaseModel]) -> tuple:
    field = model.model_fields.get("kind")
    return typing.get_args(field.annotation) if field is not None else ()


def _leaf_models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold, through Optional, Union, list and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaf_models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaf_models(arg)]
    return []
