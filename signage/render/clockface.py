"""The clock: time and date in each named zone, side by side, labelled in vi, en and zh.

It shows hours and minutes, not seconds: from across a road the minute is what people
read, five characters can be drawn 60% larger than eight in the same box, and the zone
is redrawn once a minute instead of every second. The labels and backdrop are drawn
once; only the digits are drawn again when the minute changes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pygame

from signage.models import ClockItem
from signage.render.fonts import FontBook
from signage.render.items import surface_bytes
from signage.render.pictures import background, new_frame
from signage.render.runs import Run, fit_size, measure, render_runs
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
# Shares of a column's height: the Vietnamese name, the English and Chinese names below
# it (smaller, by the three-quarter rule), the time, the date.
ROWS = (0.2, 0.15, 0.45, 0.2)
MARGIN_SHARE = 0.06


def zone_label(zone: str) -> tuple[str, str, str]:
    if zone in ZONE_LABELS:
        return ZONE_LABELS[zone]
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return city, city, city


class ClockVisual:
    def __init__(self, item: ClockItem, size: tuple[int, int], fonts: FontBook):
        self.size = size
        self.fonts = fonts
        self.style = item.style
        self.zones = [zoneinfo.ZoneInfo(name) for name in item.zones]
        self.columns, self.rows = layout(size, len(self.zones))
        self.static = background(size)
        width = self.columns[0].width
        self.time_size = fit_size(fonts, lambda s: [("en", "00:00", s)], (width, self.rows[2]),
                                  self.rows[2])
        self.date_size = fit_size(fonts, lambda s: [("en", "0000-00-00", s)], (width, self.rows[3]),
                                  self.rows[3])
        for zone_name, column in zip(item.zones, self.columns):
            self._label(zone_label(zone_name), column)
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
            for zone, column in zip(self.zones, self.columns):
                local = now.astimezone(zone)
                y = column.y + self.rows[0] + self.rows[1]
                self._put(self.face, [("en", local.strftime("%H:%M"), self.time_size)],
                          pygame.Rect(column.x, y, column.width, self.rows[2]))
                self._put(self.face, [("en", local.strftime("%Y-%m-%d"), self.date_size)],
                          pygame.Rect(column.x, y + self.rows[2], column.width, self.rows[3]))
            self.shown = minute
        return self.face

    def _label(self, texts: tuple[str, str, str], column: pygame.Rect) -> None:
        """The zone's name: Vietnamese on top, English / Chinese below at most 3/4 its size."""
        top, below = label_lines(texts, label_size(self.fonts, texts, column.width, self.rows),
                                 self.fonts)
        self._put(self.static, top, pygame.Rect(column.x, column.y, column.width, self.rows[0]))
        self._put(self.static, below, pygame.Rect(column.x, column.y + self.rows[0], column.width,
                                                  self.rows[1]))

    def _put(self, target: pygame.Surface, runs: list[Run], row: pygame.Rect) -> None:
        """Draw a line centred in `row` by its advance (digits then never wobble)."""
        metrics = measure(self.fonts, runs)
        surface, baseline = render_runs(self.fonts, runs, self.style, metrics)
        pad = (surface.get_width() - metrics.width) // 2
        x = row.x + (row.width - metrics.width) // 2 - pad
        y = row.y + (row.height - metrics.height) // 2 + metrics.ascent - baseline
        target.blit(surface, (x, y))


def label_lines(texts: tuple[str, str, str], vi_size: int, fonts: FontBook) -> tuple[list[Run], list[Run]]:
    """The label's two lines: the Vietnamese name, then English / Chinese."""
    vi, en, zh = texts
    en_size, zh_size = foreign_sizes(fonts, vi_size)
    return ([("vi", vi, vi_size)],
            [("en", en, en_size), ("en", LABEL_SEPARATOR, en_size), ("zh", zh, zh_size)])


def label_size(fonts: FontBook, texts: tuple[str, str, str], width: int, rows: list[int]) -> int:
    """The Vietnamese size of a label whose two lines fit `width` and their rows."""
    size = max(rows[0], 1)
    while size > 1:
        top, below = label_lines(texts, size, fonts)
        if all(m.width <= width and m.height <= row
               for m, row in ((measure(fonts, top), rows[0]), (measure(fonts, below), rows[1]))):
            break
        size -= 1
    return size


def layout(size: tuple[int, int], count: int) -> tuple[list[pygame.Rect], list[int]]:
    """Where the clock draws: one column per time zone, and the heights of its rows."""
    columns = _columns(size, count)
    return columns, [round(columns[0].height * share) for share in ROWS]


def _columns(size: tuple[int, int], count: int) -> list[pygame.Rect]:
    width, height = size
    margin = round(min(width / count, height) * MARGIN_SHARE)
    step = width // count
    return [pygame.Rect(i * step + margin, margin, max(step - 2 * margin, 1),
                        max(height - 2 * margin, 1)) for i in range(count)]
