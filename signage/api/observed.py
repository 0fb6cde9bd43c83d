"""Reading what the player writes into the runtime directory (status, snapshot and the
per-minute history)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import struct
from pathlib import Path
from typing import Any

from signage.settings import Settings

from signage.store.history import HistoryDamaged, MinutePoint, read_history, within_span
from signage.store.runtime import SCREEN_KEY

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclasses.dataclass(frozen=True)
class Snapshot:
    png: bytes
    age_s: float  # since the file was last replaced

    @property
    def screen(self) -> str | None:
        """What the panel showed (content, blanked, test-pattern NAME), from the PNG."""
        return png_text(self.png, SCREEN_KEY)


def png_text(png: bytes, key: str) -> str | None:
    """The value of tEXt chunk `key` before the pixels, or None; reads chunk headers only."""
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            return None
        if kind == b"tEXt":
            name, _, value = png[at + 8:at + 8 + length].partition(b"\0")
            if name == key.encode("latin-1"):
                return value.decode("latin-1")
        at += 12 + length  # length, type, data, CRC
    return None


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


def read_minute_history(path: Path, now: dt.datetime) -> list[MinutePoint] | None:
    """The player's points of the 24 hours up to `now`, oldest first (a minute without a
    point is a gap); None when the player has written no history, or it is damaged (the
    player starts it again; its log says why)."""
    try:
        stat = path.stat()
        points = _parsed_history(path, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except (OSError, HistoryDamaged):
        return None
    return within_span(points, now)


@functools.lru_cache(maxsize=4)
def _parsed_history(path: Path, inode: int, mtime_ns: int, size: int) -> tuple[MinutePoint, ...]:
    """The file's points, parsed once per version of the file (it changes once a minute;
    the overview asks for it on every page: 1,440 points take ~10 ms to parse)."""
    points = read_history(path)
    if points is None:  # replaced or removed since the stat: not cached, asked again
        raise HistoryDamaged("gone while being read")
    return tuple(points)


def without_paths(document: Any, settings: Settings) -> Any:
    """A JSON document with every string's data and runtime dir paths hidden
    (Settings.shown), for answers a technician reads."""
    if isinstance(document, str):
        return settings.shown(document)
    if isinstance(document, dict):
        return {key: without_paths(value, settings) for key, value in document.items()}
    if isinstance(document, list):
        return [without_paths(value, settings) for value in document]
    return document
