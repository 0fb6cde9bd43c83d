"""Durations as people write them: 12s, 1m30s, 1h, 250ms, or a number of seconds."""

from __future__ import annotations

import re
from typing import Any

from signage.content.refusal import Refusal

_DURATION_RE = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)h)?\s*(?:(?P<m>\d+(?:\.\d+)?)m(?!s))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?\s*(?:(?P<ms>\d+)ms)?\s*$"
)
MIN_DURATION_S = 0.5
MAX_DURATION_S = 24 * 3600.0


def parse_duration(value: Any) -> float:
    """'12s', '1m30s', '1h', '250ms' or a number of seconds -> seconds (0.5 s to 24 h)."""
    seconds = parse_seconds(value)
    if not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
        raise Refusal("duration_range", f"must be between {MIN_DURATION_S:g}s and 24h (got {seconds:g}s)",
                      min=f"{MIN_DURATION_S:g}s", max="24h", seconds=seconds)
    return seconds


def parse_seconds(value: Any) -> float:
    """A duration in seconds, any length (callers check their own range)."""
    if isinstance(value, bool):
        raise Refusal("bad_duration", "write a duration such as 12s or 1m30s", value=str(value)[:40])
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION_RE.match(value)
        if not value.strip() or not match or not any(match.groupdict().values()):
            raise Refusal("bad_duration", f"{value!r} is not a duration; write e.g. 12s, 1m30s or 250ms",
                          value=value[:40])
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        seconds = (
            parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
            + parts.get("ms", 0) / 1000
        )
    else:
        raise Refusal("bad_duration", "write a duration such as 12s or 1m30s", value=str(value)[:40])
    return seconds


def format_duration(seconds: float) -> str:
    """Seconds -> the shortest of '12s', '1m30s', '1.5s' that reads back the same."""
    minutes, rest = divmod(seconds, 60)
    if minutes and rest == int(rest):
        return f"{int(minutes)}m{int(rest)}s" if rest else f"{int(minutes)}m"
    return f"{seconds:g}s"
