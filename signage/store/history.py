"""The player's per-minute history of the last 24 hours (history.json in the runtime dir):
frame rate, the hottest receiving card, the card supply voltages and frames dropped.

The player writes it (signage/player/history.py), the API and the console read it; this
module is the file's format, shared by both sides. A point is one wall-clock minute (its
start, UTC); a minute with no point is a minute the player did not run (or did not trust
its clock), and charts show it as a gap.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, Iterable

from signage.store.runtime import write_atomically

HISTORY_SPAN = dt.timedelta(hours=24)
MAX_POINTS = 1440  # one a minute for HISTORY_SPAN: the memory and the file stay bounded
FORMAT = 1


class HistoryDamaged(ValueError):
    """The history file is there but is not a history this code wrote."""


@dataclasses.dataclass(frozen=True)
class MinutePoint:
    """What the player saw during one minute. None where nothing was read back (no fps
    yet; a driver without temperature or voltage read-back, such as HDMI)."""

    at: dt.datetime  # the minute's start, aware
    samples: int  # status documents seen in the minute (weights a merge)
    fps_mean: float | None = None
    fps_min: float | None = None
    temperature_max_c: float | None = None  # the hottest card's highest reading
    voltage_min_v: float | None = None  # the lowest supply voltage over the cards
    voltage_max_v: float | None = None
    dropped_frames: int = 0  # frame ticks skipped during the minute

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "samples": self.samples, "fps_mean": self.fps_mean,
                "fps_min": self.fps_min, "temperature_max_c": self.temperature_max_c,
                "voltage_min_v": self.voltage_min_v, "voltage_max_v": self.voltage_max_v,
                "dropped_frames": self.dropped_frames}

    def as_json(self) -> bytes:
        """The point as it is written in the file (the player encodes each point once)."""
        return json.dumps(self.as_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, data: Any) -> MinutePoint:
        """A point from its JSON form; HistoryDamaged on anything else."""
        if not isinstance(data, dict) or set(data) != _FIELDS:
            raise HistoryDamaged(f"a point is not an object with a point's fields: {data!r:.80}")
        try:
            at = dt.datetime.fromisoformat(data["at"])
        except (TypeError, ValueError):
            raise HistoryDamaged(f"a point's time is not ISO 8601: {data['at']!r:.40}") from None
        if at.tzinfo is None:
            raise HistoryDamaged(f"a point's time has no offset: {data['at']!r:.40}")
        counts = (data["samples"], data["dropped_frames"])
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
            raise HistoryDamaged("a point's samples or dropped_frames is not a count")
        return cls(at=at, samples=data["samples"], dropped_frames=data["dropped_frames"],
                   **{name: _reading(data[name], name) for name in _READINGS})


_FIELDS = {field.name for field in dataclasses.fields(MinutePoint)}
_READINGS = ("fps_mean", "fps_min", "temperature_max_c", "voltage_min_v", "voltage_max_v")


def _reading(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise HistoryDamaged(f"a point's {name} is not a number: {value!r:.40}")
    return float(value)


def history_bytes(encoded_points: Iterable[bytes]) -> bytes:
    """The file's bytes from its points' MinutePoint.as_json: compact JSON (1,440 points
    are about 240 KB). Joining encoded points costs a copy, not an encoding: the write
    runs beside the frame loop, which must not wait for the GIL."""
    return b'{"format":%d,"points":[%s]}' % (FORMAT, b",".join(encoded_points))


def parse_history(data: bytes) -> list[MinutePoint]:
    """The points in a history file's bytes, oldest first; HistoryDamaged if it is not one."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise HistoryDamaged(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HistoryDamaged(f"not a history of format {FORMAT}")
    points = document.get("points")
    if not isinstance(points, list):
        raise HistoryDamaged("its points are not a list")
    parsed = [MinutePoint.from_dict(point) for point in points]
    return sorted(parsed, key=lambda point: point.at)[-MAX_POINTS:]


def read_history(path: Path) -> list[MinutePoint] | None:
    """The points in the file at `path`, or None if there is none; HistoryDamaged if it
    cannot be read as a history."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise HistoryDamaged(f"cannot read it: {exc}") from None
    return parse_history(data)


def write_history(path: Path, points: Iterable[MinutePoint]) -> None:
    """Replace the file at `path` in one rename: a reader sees the old or the new one."""
    write_atomically(path, history_bytes(point.as_json() for point in points))


def within_span(points: Iterable[MinutePoint], now: dt.datetime) -> list[MinutePoint]:
    """The points of the 24 hours up to `now` (not older, and not stamped after it)."""
    start = now - HISTORY_SPAN
    return [point for point in points if start < point.at <= now]
