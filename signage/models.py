"""Content models: trilingual messages, items, playlists. Validation only, no I/O.

Content is written by people in YAML, so every refusal names the field and says what
to do. Unknown fields are refused (a typo such as `duraton` must not be ignored).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)

LANGUAGES = ("vi", "en", "zh")
MAX_TEXT_CHARS = 500
MAX_ITEMS = 500

_DURATION_RE = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)h)?\s*(?:(?P<m>\d+(?:\.\d+)?)m(?!s))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?\s*(?:(?P<ms>\d+)ms)?\s*$"
)
MIN_DURATION_S = 0.5
MAX_DURATION_S = 24 * 3600.0

# Bidirectional controls can make text display differently from how it reads in the
# file ("Trojan source"); nothing in vi/en/zh needs them.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def parse_duration(value: Any) -> float:
    """'12s', '1m30s', '1h', '250ms' or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError("write a duration such as 12s or 1m30s")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION_RE.match(value)
        if not value.strip() or not match or not any(match.groupdict().values()):
            raise ValueError(f"{value!r} is not a duration; write e.g. 12s, 1m30s or 250ms")
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        seconds = (
            parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
            + parts.get("ms", 0) / 1000
        )
    else:
        raise ValueError("write a duration such as 12s or 1m30s")
    if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
        raise ValueError(f"must be between {MIN_DURATION_S:g}s and 24h (got {seconds:g}s)")
    return seconds


def format_duration(seconds: float) -> str:
    """Seconds -> the shortest of '12s', '1m30s', '1.5s' that reads back the same."""
    minutes, rest = divmod(seconds, 60)
    if minutes and rest == int(rest):
        return f"{int(minutes)}m{int(rest)}s" if rest else f"{int(minutes)}m"
    return f"{seconds:g}s"


Duration = Annotated[
    float, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]


def _clean_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ValueError("must not be empty: every message needs vi, en and zh text")
    for ch in text:
        if ch == "\n":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
            raise ValueError(
                f"contains the control character U+{ord(ch):04X}; remove it"
            )
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            f"is {len(text)} characters; at most {MAX_TEXT_CHARS} fit on a wall, shorten it"
        )
    return text


Text = Annotated[str, BeforeValidator(_clean_text)]

_SHA256_REF = re.compile(r"^sha256:[0-9a-f]{64}$")


def _check_asset_ref(value: Any) -> str:
    """An asset is `sha256:<hex>` in the store, or a relative path when importing files."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must name an asset: sha256:<64 hex digits> or a path under assets/")
    value = value.strip()
    if value.startswith("sha256:"):
        if not _SHA256_REF.match(value):
            raise ValueError("a sha256 reference is 'sha256:' and 64 lowercase hex digits")
        return value
    if value.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", value) or ":" in value:
        raise ValueError("a path must be relative and stay inside the content folder")
    return value


AssetRef = Annotated[str, BeforeValidator(_check_asset_ref)]


def is_stored_ref(ref: str) -> bool:
    return bool(_SHA256_REF.match(ref))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(_Strict):
    """One text in the three languages; Vietnamese is shown first and largest."""

    vi: Text
    en: Text
    zh: Text

    def in_order(self) -> tuple[str, str, str]:
        return (self.vi, self.en, self.zh)


class MessageItem(_Strict):
    kind: Literal["message"]
    text: Message
    background: AssetRef | None = None
    duration: Duration = 10.0


class ImageItem(_Strict):
    kind: Literal["image"]
    asset: AssetRef
    fit: Literal["cover", "contain", "stretch"] = "contain"
    caption: Message | None = None
    duration: Duration = 8.0


Item = Annotated[Union[MessageItem, ImageItem], Field(discriminator="kind")]


class Playlist(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    items: list[Item] = Field(min_length=1, max_length=MAX_ITEMS)

    @field_validator("name", mode="before")
    @classmethod
    def _name_hint(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", value):
            raise ValueError(
                "use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit"
            )
        return value

    def asset_fields(self) -> Iterator[tuple[tuple, str]]:
        """(field path, reference) for every asset the playlist names."""
        for index, item in enumerate(self.items):
            for field in ("asset", "background"):
                ref = getattr(item, field, None)
                if ref:
                    yield ("items", index, field), ref

    def asset_refs(self) -> set[str]:
        return {ref for _path, ref in self.asset_fields()}


# --- turning pydantic's errors into "field.path: reason" lines ------------------------


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
        return "kind must be one of: message, image"
    if kind == "union_tag_not_found":
        return "needs a kind: message or image"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def problems_from(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """(path, reason) pairs, in document order, for a failed validation."""
    return [(format_path(path), reason) for path, reason in problem_paths(exc, data)]


def problem_paths(exc: ValidationError, data: Any) -> list[tuple[tuple, str]]:
    """Like problems_from, but with the path as a tuple (for finding source lines)."""
    return [(error_path(tuple(e["loc"]), data), _reason(e)) for e in exc.errors()]
