"""The week as a table for the schedule page: hours down, days across, what really plays
in each hour at the gate's local time, the hours the wall is blanked, and the brightness.

Built from the same day plans as `signage schedule` and GET /api/schedule/plan
(`signage.schedule.plan.day_timeline`) and coloured like its PNG (`render.weekchart`), so
the three pictures of one schedule agree. Hours that show the same thing one after
another are one cell (rowspan), so a stretch reads as one block, as in a diary.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import threading

from signage.content.documents import dump_json
from signage.render.weekchart import PALETTE, playlist_colors
from signage.schedule.plan import DayRow, brightness_levels, day_timeline, shown_playlist
from signage.schedule.rules import Schedule

DAYS = 7
HOURS = 24
CURVE_STEP_MIN = 15  # fine enough for a twilight ramp drawn 1440 units wide, and cheap
CACHED_WEEKS = 16


@dataclasses.dataclass(frozen=True)
class Piece:
    """A part of an hour: from `minute` (after midnight), `playlist` shows (None: the
    standby card) because of `rule` ('default': no rule applies), or the wall is off."""

    minute: int
    playlist: str | None
    power_on: bool
    rule: str = "default"

    @property
    def named_rule(self) -> str | None:
        """The rule worth naming beside the playlist: not the default, not the playlist's
        own name again, not while the wall is off."""
        if not self.power_on or self.rule in ("default", self.playlist):
            return None
        return self.rule

    @property
    def clock(self) -> str:
        return f"{self.minute // 60:02d}:{self.minute % 60:02d}"


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of the table: day `day`, hours `first_hour` to `first_hour + hours`."""

    day: dt.date
    first_hour: int
    hours: int
    pieces: tuple[Piece, ...]
    color: int | None  # index in the palette of the one playlist the cell shows

    @property
    def whole(self) -> Piece | None:
        """The one thing the cell shows through all its hours, if it is one."""
        return self.pieces[0] if len(self.pieces) == 1 else None

    @property
    def span(self) -> str:
        end = self.first_hour + self.hours
        return f"{self.first_hour:02d}:00-{end:02d}:00"


@dataclasses.dataclass(frozen=True)
class WeekGrid:
    days: list[dt.date]
    rows: list[list[Cell]]  # rows[hour]: the cells that start in that hour, in day order
    brightness: list[float | None]  # the first day's level at each hour (None: not planned)
    curve: str  # SVG polyline points of the first day's brightness, x in minutes, y 0-100
    legend: list[tuple[str, int]]  # (playlist, palette index)


_cache: collections.OrderedDict[tuple, WeekGrid] = collections.OrderedDict()
_cache_lock = threading.Lock()


def cached_week_grid(schedule: Schedule, first_day: dt.date, published: set[str]) -> WeekGrid:
    """week_grid, kept for the few weeks people look at: the grid changes only with the
    schedule's document, the week, or the playlists published (working out the sun's
    brightness for a week takes tens of milliseconds on the box). Keyed by the document
    itself, not a revision number, so two stores in one process never share a grid."""
    key = (dump_json(schedule), first_day, frozenset(published))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    grid = week_grid(schedule, first_day, published)
    with _cache_lock:
        _cache[key] = grid
        while len(_cache) > CACHED_WEEKS:
            _cache.popitem(last=False)
    return grid


def week_grid(schedule: Schedule, first_day: dt.date, published: set[str]) -> WeekGrid:
    """Seven days from `first_day` (local dates in the schedule's zone)."""
    days = [first_day + dt.timedelta(days=i) for i in range(DAYS)]
    names = schedule.playlists()
    palette = {name: PALETTE.index(rgb) for name, rgb in playlist_colors(names).items()}
    columns = [_day_cells(day, day_timeline(schedule, day, brightness=False), schedule,
                          published, palette)
               for day in days]
    rows: list[list[Cell]] = [[] for _ in range(HOURS)]
    for cells in columns:
        for cell in cells:
            rows[cell.first_hour].append(cell)
    shown = sorted({p.playlist for cells in columns for c in cells for p in c.pieces
                    if p.playlist is not None and p.power_on})
    return WeekGrid(days, rows, *_brightness(schedule, first_day),
                    [(name, palette[name]) for name in shown if name in palette])


def _day_cells(day: dt.date, rows: list[DayRow], schedule: Schedule, published: set[str],
               palette: dict[str, int]) -> list[Cell]:
    hours = [_pieces_in_hour(day, hour, rows, schedule, published) for hour in range(HOURS)]
    cells: list[Cell] = []
    for hour, pieces in enumerate(hours):
        previous = cells[-1] if cells else None
        if previous is not None and len(pieces) == 1 and previous.whole is not None \
                and _same(previous.whole, pieces[0]):
            cells[-1] = dataclasses.replace(previous, hours=previous.hours + 1)
            continue
        only = pieces[0] if len(pieces) == 1 else None
        color = palette.get(only.playlist) if only and only.power_on and only.playlist else None
        cells.append(Cell(day, hour, 1, pieces, color))
    return cells


def _pieces_in_hour(day: dt.date, hour: int, rows: list[DayRow], schedule: Schedule,
                    published: set[str]) -> tuple[Piece, ...]:
    start, end = hour * 60, hour * 60 + 60
    pieces: list[Piece] = []
    for row in rows:
        row_start, row_end = _minute(row.start, day), _minute(row.end, day)
        if row_end <= start or row_start >= end:
            continue
        shown = shown_playlist(row.playlist, schedule, published)
        # A rule whose playlist is not published does not decide what shows: the default does.
        piece = Piece(max(row_start, start), shown, row.power_on,
                      row.rule if shown == row.playlist else "default")
        if not pieces or not _same(pieces[-1], piece):
            pieces.append(piece)
    return tuple(pieces)


def _same(one: Piece, other: Piece) -> bool:
    if not one.power_on and not other.power_on:
        return True  # off is off, whichever rule the schedule would have followed
    return (one.playlist, one.power_on, one.rule) == (other.playlist, other.power_on, other.rule)


def _minute(moment: dt.datetime, day: dt.date) -> int:
    midnight = dt.datetime.combine(day, dt.time())
    return round((moment.replace(tzinfo=None) - midnight).total_seconds() / 60)


def _brightness(schedule: Schedule, day: dt.date) -> tuple[list[float | None], str]:
    plan = schedule.brightness
    if plan is None:
        return [None] * HOURS, ""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=schedule.zone)
    minutes = range(0, HOURS * 60 + 1, CURVE_STEP_MIN)
    levels = brightness_levels(plan, schedule,
                               (midnight + dt.timedelta(minutes=m) for m in minutes))
    hourly = [round(levels[hour * 60 // CURVE_STEP_MIN]) for hour in range(HOURS)]
    points = " ".join(f"{m},{100 - level:.1f}" for m, level in zip(minutes, levels))
    return hourly, points
