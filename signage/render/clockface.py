"""The clock: time and date in each named zone, labelled in vi, en and zh.

It shows hours and minutes, not seconds: from across a road the minute is what people
read, five characters can be drawn 60% larger than eight in the same box, and the zone
is redrawn once a minute instead of every second. The labels and backdrop are drawn
once; only the digits are drawn again when the minute changes.

Each time zone gets a cell holding four lines: the Vietnamese name on top, the English
and Chinese names below it (sized by the three-quarter rule exactly as text.py does), the
time, the date. Cells stand side by side in a wide zone and are stacked in a tall or
square one; in a wide cell the names stand left of the time and date. Of these shapes the
one that draws the names largest wins, since the names are what fails the legibility
floors first. `clock_layout` alone decides sizes and places, and `label_sizes` hands the
door checks the sizes it decided, so the checks measure what the panel shows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import pygame

from signage.content.models import ClockItem
from signage.render.fonts import FontBook
from signage.render.pictures import background, new_frame, surface_bytes
from signage.render.runs import Run, ink_extent, measure, render_runs
from signage.render.text import foreign_sizes

# (vi, en, zh) names; a zone not listed is labelled with its city in all three.
ZONE_LABELS = {
    "Asia/Ho_Chi_Minh": ("Việt Nam", "Vietnam", "越南"),
    "Asia/Saigon": ("Việt Nam", "Vietnam", "越南"),
    "Asia/Shanghai": ("Trung Quốc", "China", "中国"),
    "Asia/Chongqing": ("Trung Quốc", "China", "中国"),
    "Asia/Hong_Kong": ("Hồng Kông", "Hong Kong", "香港"),
    "Asia/Vientiane": ("Lào", "Laos", "老挝"),
    "Asia/Phnom_Penh": ("Campuchia", "Cambodia", "柬埔寨"),
    "Asia/Bangkok": ("Thái Lan", "Thailand", "泰国"),
    "Asia/Tokyo": ("Nhật Bản", "Japan", "日本"),
    "Asia/Seoul": ("Hàn Quốc", "South Korea", "韩国"),
    "UTC": ("Giờ UTC", "UTC", "协调世界时"),
}
LABEL_SEPARATOR = " / "
# Font sizes of the time and the date, in Vietnamese label sizes: the time is what people
# look for; the date is read closer up.
TIME_SCALE = 1.7
DATE_SCALE = 0.8
# Blank between the lines (vi name | en/zh names | time | date), in Vietnamese label sizes.
GAPS = (0.25, 0.4, 0.3)
BESIDE_GAP = 0.6     # between the names and the time when they stand side by side
MARGIN_SHARE = 0.03   # of a cell's shorter side, all round (the zone keeps SAFE_MARGIN too)
DIVIDER_COLOR = (48, 80, 136)   # faint on the backdrop: it groups, it does not draw the eye
DIVIDER_WIDTH = 2
TIME_SAMPLE = "00:00"       # Noto Sans digits are tabular: every time is this wide
# Dates in the form people read where the zone is: 02/12/2026 in Vietnam (and in English,
# day first as Vietnam writes it), 2026年12月2日 in China. The Chinese form is drawn in the
# Chinese face at the Chinese label size, so 年月日 keep the three-quarter rule.
CHINESE_DATE_ZONES = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi",
                      "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei"}
DATE_SAMPLES = ("00/00/0000", "0000年00月00日")
SAFE_MARGIN = 0.05   # of the zone's shorter side, kept clear of text all round


@dataclass(frozen=True)
class Line:
    """Where one of a cell's lines goes, relative to the cell: centred in x..x+width."""

    x: int
    width: int
    top: int        # the ink's top and bottom (over every version of the line)
    baseline: int
    bottom: int


@dataclass(frozen=True)
class ClockLayout:
    """Where and how large the clock draws; every cell is laid out alike."""

    cells: tuple[pygame.Rect, ...]          # one per time zone, margins taken off
    vi_size: int                            # the label sizes: Vietnamese, English, Chinese
    en_size: int
    zh_size: int
    time_size: int
    date_size: int
    lines: tuple[Line, Line, Line, Line]    # vi name, en/zh names, time, date

    @property
    def label_sizes(self) -> dict[str, int]:
        return {"vi": self.vi_size, "en": self.en_size, "zh": self.zh_size}


def zone_label(zone: str) -> tuple[str, str, str]:
    if zone in ZONE_LABELS:
        return ZONE_LABELS[zone]
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return city, city, city


def local_date(day: dt.date, zone: str) -> tuple[str, str]:
    """(language whose face draws it, the date as people write it in `zone`)."""
    if zone in CHINESE_DATE_ZONES:
        return "zh", f"{day.year}年{day.month}月{day.day}日"
    return "en", day.strftime("%d/%m/%Y")


def date_run(day: dt.date, zone: str, layout: "ClockLayout") -> Run:
    lang, text = local_date(day, zone)
    return lang, text, layout.zh_size if lang == "zh" else layout.date_size


def label_sizes(fonts: FontBook, zones: list[str], size: tuple[int, int]) -> dict[str, int]:
    """Font sizes of the zone labels, by language, in a clock of `size`: what is drawn."""
    return clock_layout(fonts, tuple(zones), tuple(size)).label_sizes


@lru_cache(maxsize=64)
def clock_layout(fonts: FontBook, zones: tuple[str, ...], size: tuple[int, int]) -> ClockLayout:
    """Cells side by side or stacked, names above or beside the time: whichever draws the
    names largest (ties go to columns in a wide zone, rows in a tall one, names above)."""
    labels = [zone_label(zone) for zone in zones]
    wide = size[0] >= size[1]
    candidates = [_fitted(fonts, labels, _cells(size, len(zones), across), beside)
                  for across in ((True, False) if wide else (False, True))
                  for beside in (False, True)]
    return max(candidates, key=lambda layout: layout.vi_size)  # max keeps the first of equals


def label_lines(texts: tuple[str, str, str], sizes: dict[str, int]) -> tuple[list[Run], list[Run]]:
    """The label's two lines: the Vietnamese name, then English / Chinese."""
    vi, en, zh = texts
    return ([("vi", vi, sizes["vi"])],
            [("en", en, sizes["en"]), ("en", LABEL_SEPARATOR, sizes["en"]),
             ("zh", zh, sizes["zh"])])


class ClockVisual:
    """The clock at a zone's size: names and backdrop drawn once, digits once a minute."""

    def __init__(self, item: ClockItem, size: tuple[int, int], fonts: FontBook):
        self.size = size
        self.fonts = fonts
        self.style = item.style
        self.zone_names = list(item.zones)
        self.zones = [zoneinfo.ZoneInfo(name) for name in item.zones]
        self.layout = clock_layout(fonts, tuple(item.zones), tuple(size))
        self.static = background(size)
        _draw_dividers(self.static, self.layout.cells)
        for zone_name, cell in zip(item.zones, self.layout.cells):
            top, below = label_lines(zone_label(zone_name), self.layout.label_sizes)
            self._put(self.static, top, cell, self.layout.lines[0])
            self._put(self.static, below, cell, self.layout.lines[1])
        self.face = new_frame(size)
        self.shown: int | None = None
        self.nbytes = 2 * surface_bytes(self.static)

    def key(self, into: float, now: dt.datetime) -> int:
        return int(now.timestamp() // 60)  # every zone in use is a whole minutes off UTC

    def draw(self, target, topleft, into, now) -> None:
        target.blit(self.picture(into, now), topleft)

    def picture(self, into: float, now: dt.datetime) -> pygame.Surface:
        minute = self.key(into, now)
        if minute != self.shown:
            self.face.blit(self.static, (0, 0))
            layout = self.layout
            for name, zone, cell in zip(self.zone_names, self.zones, layout.cells):
                local = now.astimezone(zone)
                self._put(self.face, [("en", local.strftime("%H:%M"), layout.time_size)], cell,
                          layout.lines[2])
                self._put(self.face, [date_run(local.date(), name, layout)], cell, layout.lines[3])
            self.shown = minute
        return self.face

    def _put(self, target: pygame.Surface, runs: list[Run], cell: pygame.Rect, line: Line) -> None:
        """Draw a line centred in its place by its advance (digits then never wobble)."""
        metrics = measure(self.fonts, runs)
        surface, baseline = render_runs(self.fonts, runs, self.style, metrics)
        pad = (surface.get_width() - metrics.width) // 2
        x = cell.x + line.x + (line.width - metrics.width) // 2 - pad
        target.blit(surface, (x, cell.y + line.baseline - baseline))


def _draw_dividers(surface: pygame.Surface, cells: tuple[pygame.Rect, ...]) -> None:
    """A faint rule between neighbouring cells, so a time is not read with the next name."""
    for before, after in zip(cells, cells[1:]):
        if after.x > before.x:   # side by side
            x = (before.right + after.left) // 2
            span = (x, before.y + before.height // 10), (x, before.bottom - before.height // 10)
        else:
            y = (before.bottom + after.top) // 2
            span = (before.x + before.width // 10, y), (before.right - before.width // 10, y)
        pygame.draw.line(surface, DIVIDER_COLOR, *span, DIVIDER_WIDTH)


# --- layout ------------------------------------------------------------------------------


def _cells(size: tuple[int, int], count: int, across: bool) -> list[pygame.Rect]:
    """`count` equal cells side by side (across) or stacked inside the zone's safe margin,
    each inside its own margin."""
    safe = round(min(size) * SAFE_MARGIN)
    width, height = max(size[0] - 2 * safe, 1), max(size[1] - 2 * safe, 1)
    length = width if across else height
    cells = []
    for i in range(count):
        start, end = round(i * length / count), round((i + 1) * length / count)
        box = (safe + start, safe, end - start, height) if across else (safe, safe + start, width, end - start)
        margin = round(min(box[2], box[3]) * MARGIN_SHARE)
        cells.append(pygame.Rect(box[0] + margin, box[1] + margin, max(box[2] - 2 * margin, 1),
                                 max(box[3] - 2 * margin, 1)))
    return cells


def _fitted(fonts: FontBook, labels, cells: list[pygame.Rect], beside: bool) -> ClockLayout:
    """The layout at the largest Vietnamese label size whose lines fit the cells (size 1 if
    none does: a zone too small is the door checks' finding, not a crash)."""
    low, high = 1, max(cells[0].height, 1)
    best, _ = _at_size(fonts, labels, cells, 1, beside)
    while low < high:
        mid = (low + high + 1) // 2
        found, fits = _at_size(fonts, labels, cells, mid, beside)
        if fits:
            low, best = mid, found
        else:
            high = mid - 1
    return best


def _at_size(fonts: FontBook, labels, cells, vi_size: int, beside: bool) -> tuple[ClockLayout, bool]:
    """The layout with labels at `vi_size`, and whether its lines fit a cell."""
    en_size, zh_size = foreign_sizes(fonts, vi_size)
    sizes = {"vi": vi_size, "en": en_size, "zh": zh_size}
    time_size = max(round(TIME_SCALE * vi_size), 1)
    date_size = max(round(DATE_SCALE * vi_size), 1)
    extents = [_extent(fonts, variants) for variants in (
        [label_lines(texts, sizes)[0] for texts in labels],
        [label_lines(texts, sizes)[1] for texts in labels],
        [[("en", TIME_SAMPLE, time_size)]],
        [[("en", DATE_SAMPLES[0], date_size)], [("zh", DATE_SAMPLES[1], zh_size)]])]
    smallest = min(cell.width for cell in cells), min(cell.height for cell in cells)
    lines, fits = _place(extents, smallest, vi_size, beside)
    return ClockLayout(tuple(cells), vi_size, en_size, zh_size, time_size, date_size,
                       tuple(lines)), fits


def _place(extents, cell: tuple[int, int], vi_size: int, beside: bool) -> tuple[list[Line], bool]:
    """Stack the four lines, or stand the names beside the time and date, centred in the cell."""
    gaps = [round(share * vi_size) for share in GAPS]
    groups = [[0, 1], [2, 3]] if beside else [[0, 1, 2, 3]]
    widths = [max(extents[n][0] for n in group) for group in groups]
    between = round(BESIDE_GAP * vi_size)
    # side by side, the outer lines keep half that gap from the cell's edges too
    edges = between if beside else 0
    spare = cell[0] - sum(widths) - between * (len(groups) - 1) - edges
    x, lines = (edges + spare) // 2, []
    for group, width in zip(groups, widths):
        height = sum(extents[n][1] - extents[n][2] for n in group)
        y = (cell[1] - height - sum(gaps[n - 1] for n in group[1:])) // 2
        for n in group:
            y += gaps[n - 1] if n != group[0] else 0
            _, top, bottom = extents[n]
            place = (x, width) if beside else (0, cell[0])
            lines.append(Line(*place, y, y + top, y + top - bottom))
            y += top - bottom
        x += width + between
    return lines, spare >= 0 and all(0 <= line.top and line.bottom <= cell[1] for line in lines)


def _extent(fonts: FontBook, variants: list[list[Run]]) -> tuple[int, int, int]:
    """(widest advance, highest ink above, lowest ink below the baseline) of a line over all
    its versions, so the labels of every cell share their baselines."""
    width = max(measure(fonts, runs).width for runs in variants)
    return (width, *ink_extent(fonts, variants))
