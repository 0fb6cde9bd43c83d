"""Reading what the player writes into the runtime directory (status and snapshot)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any

from signage.runtime import PLAYER_STALE_AFTER_S, read_json

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
    stamp = _aware_datetime(document.get("updated_at"))
    if stamp is None:
        return PlayerState(document, None, False)
    age = (now - stamp).total_seconds()
    # A stamp far in the future means the clock was set back after the player last
    # wrote (a live player would have written a fresh stamp since): not alive either.
    return PlayerState(document, round(age, 3), abs(age) <= PLAYER_STALE_AFTER_S)


def _aware_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


@dataclasses.dataclass(frozen=True)
class Snapshot:
    png: bytes
    age_s: float  # since the file was last replaced


def read_snapshot(path: Path, now: dt.datetime) -> Snapshot | None:
    """The last presented frame, or None if there is no PNG there."""
    try:
        # The player replaces the file by rename: the open file is one whole frame, and
        # fstat gives that frame's mtime, not a newer one's.
        with open(path, "rb") as handle:
            mtime = os.fstat(handle.fileno()).st_mtime
            png = handle.read()
    except OSError:
        return None
    if not png.startswith(PNG_SIGNATURE):
        return None
    return Snapshot(png, round(now.timestamp() - mtime, 3))
