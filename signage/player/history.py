"""The player's small per-minute history of the last 24 hours, for the console's charts.

Fed with every status document the player builds (twice a second), it folds them into
one point per wall-clock minute (signage.store.history.MinutePoint) and writes the file
only when a minute ends: at most once a minute, off the frame loop, so an SD card sees
few writes. Memory and file stay bounded (MAX_POINTS). At start it reads the file back,
so a restart keeps the charts; a damaged file is ignored with one log line.

While the clock is not trusted nothing is recorded and nothing is pruned: a wrong clock
would stamp points at the wrong time, or throw away a day of good ones.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import math
from pathlib import Path
from typing import Any, Callable

from signage.clock import Clock
from signage.store.history import (HISTORY_SPAN, MAX_POINTS, HistoryDamaged, MinutePoint,
                                   history_bytes, read_history)
from signage.store.runtime import nested, write_atomically

log = logging.getLogger(__name__)

WriteLater = Callable[[Callable[[], object]], object]

# Minutes end once a minute; a wall clock stepped back and forth could end several in a
# few seconds. The file is written no more often than this (monotonic seconds); points
# not yet written go with the next write.
MIN_WRITE_GAP_S = 50.0


def _now_run(job: Callable[[], object]) -> object:
    return job()


class MinuteBucket:
    """The status documents of the minute under way, folded as they come (sums and
    extremes only: closing a minute costs the same however many documents it saw)."""

    def __init__(self, at: dt.datetime):
        self.at = at
        self.samples = 0
        self.dropped = 0
        self.fps_sum, self.fps_count = 0.0, 0
        self.fps_min: float | None = None
        self.temperature_max: float | None = None
        self.voltage_min: float | None = None
        self.voltage_max: float | None = None

    def add(self, document: dict, dropped: int) -> None:
        self.samples += 1
        self.dropped += dropped
        fps = document.get("fps")
        if _is_number(fps):
            self.fps_sum, self.fps_count = self.fps_sum + fps, self.fps_count + 1
            self.fps_min = _pick(min, self.fps_min, float(fps))
        for card in _cards(document):
            if _is_number(card.get("temperature_c")):
                celsius = float(card["temperature_c"])
                self.temperature_max = _pick(max, self.temperature_max, celsius)
            if _is_number(card.get("voltage_v")):
                volts = float(card["voltage_v"])
                self.voltage_min = _pick(min, self.voltage_min, volts)
                self.voltage_max = _pick(max, self.voltage_max, volts)

    def point(self) -> MinutePoint:
        return MinutePoint(
            at=self.at, samples=self.samples, dropped_frames=self.dropped,
            fps_mean=round(self.fps_sum / self.fps_count, 2) if self.fps_count else None,
            fps_min=self.fps_min, temperature_max_c=self.temperature_max,
            voltage_min_v=self.voltage_min, voltage_max_v=self.voltage_max)


class MinuteHistory:
    """The last 24 hours, a point a minute, kept in memory and in the file at `path`."""

    def __init__(self, path: Path, clock: Clock, write_later: WriteLater = _now_run):
        self.path = path
        self.clock = clock
        self.write_later = write_later
        # Each point with its JSON, encoded once when the minute ends: a write joins them.
        self.rows: collections.deque[tuple[MinutePoint, bytes]] = collections.deque(
            maxlen=MAX_POINTS)
        self.bucket: MinuteBucket | None = None
        self.dropped_seen: int | None = None  # the status documents' running count
        self.writes = 0  # how many times the file was handed to be written
        self.written_at = -math.inf  # monotonic time of the last of them
        self.failing = False  # the last write failed (logged once until one succeeds)
        self._load()

    def _load(self) -> None:
        try:
            points = read_history(self.path) or []
        except HistoryDamaged as exc:  # charts start again empty; the wall is unaffected
            log.warning("ignoring the damaged minute history %s: %s", self.path, exc)
            return
        start = self.clock.now() - HISTORY_SPAN
        self.rows.extend((point, point.as_json()) for point in points if point.at > start)

    @property
    def points(self) -> list[MinutePoint]:
        """The ended minutes kept, oldest first."""
        return [point for point, _ in self.rows]

    def observe(self, document: dict[str, Any]) -> None:
        """Fold one status document into the minute under way; a minute that has ended
        becomes a point and the file is written (in the background when write_later is)."""
        dropped = self._dropped_since_last(document.get("dropped_frames"))
        if not nested(document, "time", "trusted"):
            self.bucket = None  # a minute half under a wrong clock is not kept
            return
        minute = self.clock.now().astimezone(dt.timezone.utc).replace(second=0, microsecond=0)
        if self.bucket is not None and self.bucket.at != minute:
            self._close_bucket()
            if self.clock.monotonic() - self.written_at >= MIN_WRITE_GAP_S:
                self._write(later=True)
        if self.bucket is None:
            self.bucket = MinuteBucket(minute)
        self.bucket.add(document, dropped)

    def save(self) -> None:
        """Keep the minute under way as a point and write the file now (at exit)."""
        if self.bucket is not None:
            self._close_bucket()
        self._write(later=False)

    def _dropped_since_last(self, count: Any) -> int:
        if not isinstance(count, int):
            return 0
        seen, self.dropped_seen = self.dropped_seen, count
        if seen is None or count < seen:  # the first document, or a counter started anew
            return count
        return count - seen

    def _close_bucket(self) -> None:
        point, self.bucket = self.bucket.point(), None
        rows = self.rows
        # A clock set back leaves points stamped after this one: they were stamped under
        # the wrong time and would break the time order charts rely on.
        while rows and rows[-1][0].at > point.at:
            rows.pop()
        if rows and rows[-1][0].at == point.at:  # the same minute, before a restart
            point = _merged(rows.pop()[0], point)
        rows.append((point, point.as_json()))
        start = self.clock.now() - HISTORY_SPAN
        while rows and rows[0][0].at <= start:
            rows.popleft()

    def _write(self, later: bool) -> None:
        encoded = [data for _, data in self.rows]  # a copy: the frame loop goes on appending
        self.writes += 1
        self.written_at = self.clock.monotonic()
        job = lambda: self._write_now(encoded)  # noqa: E731
        if later:
            self.write_later(job)
        else:
            job()

    def _write_now(self, encoded: list[bytes]) -> None:
        try:
            write_atomically(self.path, history_bytes(encoded))
        except OSError as exc:  # tried again next minute; the charts just miss it meanwhile
            if not self.failing:  # once, not every minute of a read-only runtime dir
                log.warning("cannot write the minute history %s: %s", self.path, exc)
            self.failing = True
            return
        if self.failing:
            log.info("writing the minute history %s again", self.path)
        self.failing = False


def _merged(first: MinutePoint, second: MinutePoint) -> MinutePoint:
    """One minute seen by two runs of the player (a restart within it)."""
    samples = first.samples + second.samples
    means = [(p.fps_mean, p.samples) for p in (first, second) if p.fps_mean is not None]
    weight = sum(n for _, n in means)
    return MinutePoint(
        at=first.at, samples=samples, dropped_frames=first.dropped_frames + second.dropped_frames,
        fps_mean=round(sum(m * n for m, n in means) / weight, 2) if weight else None,
        fps_min=_pick(min, first.fps_min, second.fps_min),
        temperature_max_c=_pick(max, first.temperature_max_c, second.temperature_max_c),
        voltage_min_v=_pick(min, first.voltage_min_v, second.voltage_min_v),
        voltage_max_v=_pick(max, first.voltage_max_v, second.voltage_max_v))


def _pick(choose, *values: float | None) -> float | None:
    known = [value for value in values if value is not None]
    return choose(known) if known else None


def _cards(document: dict) -> list[dict]:
    """The receiving cards' read-backs; none while the link is down (the driver keeps the
    last ones it read, and an hour of the same stale reading is not a temperature)."""
    if nested(document, "driver", "link") == "down":
        return []
    cards = nested(document, "driver", "extra", "cards")
    return [card for card in cards if isinstance(card, dict)] if isinstance(cards, list) else []


def _is_number(value: Any) -> bool:
    """A finite reading (a card answering NaN is no reading: the file holds JSON numbers)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
