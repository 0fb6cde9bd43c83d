"""Observed state in the runtime directory: the player writes, the API reads.

Every file is written to a temporary name and renamed into place, so a reader sees
the old document or the new one, never half of one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

# The player rewrites status.json at least once a second; older than this, it is dead
# or stuck.
PLAYER_STALE_AFTER_S = 3.0
# The frame snapshot's PNG carries what the panel shows (content, blanked, test-pattern
# NAME) in a tEXt chunk of this name, written with the picture in one file.
SCREEN_KEY = "Screen"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename (no fsync: the runtime dir is tmpfs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_json(path: Path, document: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(document, ensure_ascii=False, indent=1).encode())


def read_json(path: Path) -> dict[str, Any] | None:
    """The document at `path`, or None if there is none (or it is unreadable)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def clean_stale_temps(directory: Path) -> None:
    """Remove temp files a killed writer left behind."""
    for leftover in directory.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


@dataclasses.dataclass(frozen=True)
class PlayerState:
    document: dict[str, Any] | None  # status.json as the player wrote it
    age_s: float | None  # seconds since its updated_at, by the API's clock
    alive: bool


def read_player_state(path: Path, now: dt.datetime) -> PlayerState:
    """The status document and whether the player wrote it recently enough to be alive."""
    document = read_json(path)
    if not isinstance(document, dict):
        return PlayerState(None, None, False)
    stamp = aware_datetime(document.get("updated_at"))
    if stamp is None:
        return PlayerState(document, None, False)
    age = (now - stamp).total_seconds()
    # A stamp far in the future means the clock was set back after the player last
    # wrote (a live player would have written a fresh stamp since): not alive either.
    return PlayerState(document, round(age, 3), abs(age) <= PLAYER_STALE_AFTER_S)


def aware_datetime(value: Any) -> dt.datetime | None:
    """ISO 8601 text with an offset as an aware datetime; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


def nested(document: Any, *keys: str) -> Any:
    """document[k1][k2]... in a JSON document, or None where a level is missing or is
    not an object (documents from disk are read without trusting their shape)."""
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document
