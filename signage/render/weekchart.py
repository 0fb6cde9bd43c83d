"""The week as a picture: seven days of a schedule's plan drawn as a PNG for
`signage schedule --png`, because staff would rather look than read.

Each day is a bar coloured by playlist (hatched where the wall is scheduled off) over its
brightness curve; the rows come from `signage.schedule.plan`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from PIL import Image, ImageDraw, ImageFont

from signage.schedule.plan import (EN_WEEKDAYS, VI_WEEKDAYS, DayRow, brightness_levels,
                                   day_timeline, site_coordinates)
from signage.schedule.rules import Schedule

# Tableau 10 and two from D3: colours people tell apart, none of them near black
# (black with hatching means "scheduled off").
PALETTE = tuple(
    tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    for h in ("4e79a7", "f28e2b", "e15759", "76b7b2", "59a14f", "edc948",
              "b07aa1", "ff9da7", "9c755f", "bab0ac", "17becf", "bcbd22")
)
LEFT, RIGHT, HEADER = 200, 24, 70
PX_PER_MINUTE = 1
STRIP_W = 24 * 60 * PX_PER_MINUTE
BAR_H, CURVE_H, DAY_GAP = 36, 44, 20
DAY_H = BAR_H + 4 + CURVE_H + DAY_GAP
WIDTH = LEFT + STRIP_W + RIGHT
BACKGROUND, INK, GRID = (255, 255, 255), (30, 30, 30), (205, 205, 205)
OFF_FILL, OFF_HATCH = (28, 28, 28), (95, 95, 95)
CURVE_LINE, CURVE_FILL, CURVE_BOX = (214, 140, 0), (253, 231, 168), (246, 246, 246)
LEGEND_SWATCH, LEGEND_ROW = 18, 26


def playlist_colors(names: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """A palette colour for each name, picked by a hash of the name so it is the same in
    every picture; a name whose colour is taken gets the next free one (in name order)."""
    colors: dict[str, tuple[int, int, int]] = {}
    for name in sorted(set(names)):
        slot = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
        free = [PALETTE[(slot + k) % len(PALETTE)] for k in range(len(PALETTE))
                if PALETTE[(slot + k) % len(PALETTE)] not in colors.values()]
        colors[name] = free[0] if free else PALETTE[slot % len(PALETTE)]
    return colors


def draw_week(schedule: Schedule, start_date: dt.date, path: str | Path) -> Path:
    """Draw seven days from `start_date` as a PNG at `path` (written whole, then renamed)."""
    days = [start_date + dt.timedelta(days=i) for i in range(7)]
    rows = {day: day_timeline(schedule, day) for day in days}
    names = sorted({row.playlist for day_rows in rows.values() for row in day_rows})
    colors = playlist_colors(schedule.playlists() | set(names))
    legend = _legend_entries(names, schedule)
    height = HEADER + 7 * DAY_H + _legend_height(legend)
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_header(draw, schedule, days)
    for index, day in enumerate(days):
        top = HEADER + index * DAY_H
        _draw_day_label(draw, day, top)
        _draw_bars(image, draw, rows[day], day, top, colors)
        _draw_curve(draw, schedule, day, top + BAR_H + 4)
    _draw_legend(image, draw, legend, HEADER + 7 * DAY_H, colors)
    return _save(image, Path(path))


def strip_point(day_index: int, minute: float) -> tuple[int, int]:
    """The pixel in the middle of day `day_index`'s bar at `minute` after midnight."""
    return LEFT + int(minute * PX_PER_MINUTE), HEADER + day_index * DAY_H + BAR_H // 2


def _x(moment: dt.datetime, day: dt.date) -> int:
    midnight = dt.datetime.combine(day, dt.time())
    minutes = (moment.replace(tzinfo=None) - midnight).total_seconds() / 60
    return LEFT + round(min(max(minutes, 0), 24 * 60) * PX_PER_MINUTE)


def _draw_header(draw: ImageDraw.ImageDraw, schedule: Schedule, days: list[dt.date]) -> None:
    title = (f"Lịch phát / Week plan  {days[0]:%d/%m/%Y} – {days[-1]:%d/%m/%Y}   "
             f"{schedule.timezone}   {site_coordinates(schedule)}")
    draw.text((LEFT, 10), title, fill=INK, font=_font(20, bold=True))
    for hour in range(0, 25, 2):
        x = LEFT + hour * 60 * PX_PER_MINUTE
        draw.text((x, HEADER - 22), f"{hour:02d}", fill=INK, font=_font(13), anchor="mt")


def _draw_day_label(draw: ImageDraw.ImageDraw, day: dt.date, top: int) -> None:
    draw.text((12, top + 2), f"{VI_WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}", fill=INK,
              font=_font(17, bold=True))
    draw.text((12, top + 24), EN_WEEKDAYS[day.weekday()], fill=INK, font=_font(13))
    curve_top = top + BAR_H + 4
    small = _font(11)
    draw.text((12, curve_top + CURVE_H // 2), "độ sáng / brightness", fill=INK, font=small,
              anchor="lm")
    draw.text((LEFT - 6, curve_top), "100%", fill=INK, font=small, anchor="rt")
    draw.text((LEFT - 6, curve_top + CURVE_H), "0%", fill=INK, font=small, anchor="rb")


def _draw_bars(image: Image.Image, draw: ImageDraw.ImageDraw, rows: list[DayRow],
               day: dt.date, top: int, colors: dict) -> None:
    for row in rows:
        x0, x1 = _x(row.start, day), _x(row.end, day)
        if x1 <= x0:
            continue
        if row.power_on:
            draw.rectangle((x0, top, x1 - 1, top + BAR_H - 1), fill=colors[row.playlist])
            _label_bar(draw, row.playlist, colors[row.playlist], x0, x1, top)
        else:
            image.paste(_hatch(x1 - x0, BAR_H, x0), (x0, top))
    for hour in range(25):
        x = LEFT + hour * 60 * PX_PER_MINUTE
        draw.line((x, top - 5, x, top - 1), fill=INK if hour % 6 == 0 else GRID)


def _label_bar(draw: ImageDraw.ImageDraw, name: str, color: tuple[int, int, int],
               x0: int, x1: int, top: int) -> None:
    font = _font(13)
    if font.getlength(name) + 8 > x1 - x0:
        return
    draw.text((x0 + 4, top + BAR_H // 2), name, fill=_text_on(color), font=font,
              anchor="lm")


def _hatch(width: int, height: int, phase: int) -> Image.Image:
    """Dark with diagonal lines: the wall is scheduled off. Lines are anchored to the
    strip, not the tile, so neighbouring off stretches join seamlessly."""
    tile = Image.new("RGB", (width, height), OFF_FILL)
    draw = ImageDraw.Draw(tile)
    for x in range(-height - (phase % 10), width + height, 10):
        draw.line((x, height, x + height, 0), fill=OFF_HATCH, width=2)
    return tile


def _draw_curve(draw: ImageDraw.ImageDraw, schedule: Schedule, day: dt.date, top: int) -> None:
    draw.rectangle((LEFT, top, LEFT + STRIP_W, top + CURVE_H), fill=CURVE_BOX, outline=GRID)
    for hour in range(1, 24):
        x = LEFT + hour * 60 * PX_PER_MINUTE
        draw.line((x, top + 1, x, top + CURVE_H - 1), fill=GRID if hour % 6 else (170, 170, 170))
    plan = schedule.brightness
    if plan is None:
        draw.text((LEFT + 6, top + CURVE_H // 2), "brightness is not scheduled", fill=INK,
                  font=_font(12), anchor="lm")
        return
    zone = schedule.zone
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    minutes = range(0, 24 * 60 + 1, 2)
    levels = brightness_levels(plan, schedule, (start + dt.timedelta(minutes=m) for m in minutes))
    points = [(LEFT + m * PX_PER_MINUTE, top + CURVE_H - level / 100 * CURVE_H)
              for m, level in zip(minutes, levels)]
    draw.polygon([(LEFT, top + CURVE_H), *points, (LEFT + STRIP_W, top + CURVE_H)], fill=CURVE_FILL)
    draw.line(points, fill=CURVE_LINE, width=2)


def _legend_entries(names: list[str], schedule: Schedule) -> list[tuple[str, str]]:
    """(kind, label) in drawing order: the playlists, then the two non-playlist marks."""
    entries = [("playlist", name) for name in names]
    entries.append(("off", "tắt màn hình / scheduled off"))
    if schedule.brightness is not None:
        entries.append(("curve", "độ sáng / brightness %"))
    return entries


def _legend_layout(entries: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """Top-left offsets of each entry, wrapping to a new row at the right edge."""
    font, x, y, offsets = _font(13), 0, 0, []
    for _kind, label in entries:
        width = LEGEND_SWATCH + 6 + int(font.getlength(label)) + 22
        if x and LEFT + x + width > WIDTH - RIGHT:
            x, y = 0, y + LEGEND_ROW
        offsets.append((x, y))
        x += width
    return offsets


def _legend_height(entries: list[tuple[str, str]]) -> int:
    return _legend_layout(entries)[-1][1] + LEGEND_ROW + 16


def _draw_legend(image: Image.Image, draw: ImageDraw.ImageDraw,
                 entries: list[tuple[str, str]], top: int, colors: dict) -> None:
    draw.text((12, top + LEGEND_SWATCH // 2), "Chú thích / Legend", fill=INK,
              font=_font(13, bold=True), anchor="lm")
    for (kind, label), (dx, dy) in zip(entries, _legend_layout(entries)):
        x, y = LEFT + dx, top + dy
        box = (x, y, x + LEGEND_SWATCH - 1, y + LEGEND_SWATCH - 1)
        if kind == "playlist":
            draw.rectangle(box, fill=colors[label], outline=INK)
        elif kind == "off":
            image.paste(_hatch(LEGEND_SWATCH, LEGEND_SWATCH, 0), (x, y))
        else:
            draw.rectangle(box, fill=CURVE_FILL)
            draw.line((x, y + LEGEND_SWATCH - 3, x + LEGEND_SWATCH - 1, y + 3), fill=CURVE_LINE,
                      width=2)
        draw.text((x + LEGEND_SWATCH + 6, y + LEGEND_SWATCH // 2), label, fill=INK,
                  font=_font(13), anchor="lm")


def _text_on(color: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on `color`."""
    red, green, blue = color
    return (0, 0, 0) if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else (255, 255, 255)


def _save(image: Image.Image, path: Path) -> Path:
    temp = path.with_name(path.name + ".tmp")
    image.save(temp, format="PNG")
    temp.replace(path)
    return path


# --- fonts -----------------------------------------------------------------------------

_NOTO_PATHS = {
    False: ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
            "/usr/share/fonts/noto/NotoSans-Regular.ttf"),
    True: ("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
           "/usr/share/fonts/noto/NotoSans-Bold.ttf"),
}


@lru_cache(maxsize=None)
def _font_file(bold: bool) -> str | None:
    """Noto Sans through fontconfig, then where distributions put it; None if absent."""
    if shutil.which("fc-match"):
        pattern = "Noto Sans:style=Bold" if bold else "Noto Sans:style=Regular"
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                                   text=True, timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and "NotoSans" in Path(found).name:
            return found
    return next((p for p in _NOTO_PATHS[bold] if Path(p).is_file()), None)


@lru_cache(maxsize=None)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file(bold)
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)
