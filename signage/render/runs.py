"""One line of text made of runs in different languages and sizes, on a shared baseline.

The ticker, the card headers and the clock labels draw Vietnamese on an upper row and
English and Chinese on a row below it; each run keeps its own size (so the three-quarter
rule holds) and each character falls back to another face
when its own face lacks it, as text.py does for whole messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import pygame

from signage.content.models import TextStyle, color_rgb
from signage.render.fonts import FontBook
from signage.render.text import foreign_sizes

Run = tuple[str, str, int]  # (language, text, font size)
OUTLINE_COLOR = (0, 0, 0)


@dataclass(frozen=True)
class Metrics:
    """A line's pen advance and its box above and below the baseline."""

    width: int
    ascent: int
    descent: int

    @property
    def height(self) -> int:
        return self.ascent + self.descent


@dataclass(frozen=True)
class TwoRows:
    """Vietnamese on the upper row, English and Chinese on the lower one (art. 18(2)), with
    each row's ink extent (highest above, lowest below its baseline) and the gap between."""

    upper: list[Run]
    lower: list[Run]
    upper_ink: tuple[int, int]
    lower_ink: tuple[int, int]
    gap: int

    @property
    def height(self) -> int:
        return (self.upper_ink[0] - self.upper_ink[1]) + self.gap + \
            (self.lower_ink[0] - self.lower_ink[1])


ROW_GAP = 0.15   # between the rows, in Vietnamese font sizes


def two_rows(fonts: FontBook, texts: tuple[str, str, str], vi_size: int, separator: str,
             trailing: str = "") -> TwoRows:
    """The rows at `vi_size`, the foreign sizes under the three-quarter rule; `trailing`
    ends each row (a ticker's separator before the text comes round again)."""
    en_size, zh_size = foreign_sizes(fonts, vi_size)
    vi, en, zh = (" ".join(text.split()) for text in texts)
    upper = [("vi", vi + trailing, vi_size)]
    lower = [("en", en, en_size), ("en", separator, en_size), ("zh", zh, zh_size)]
    if trailing:
        lower.append(("en", trailing, en_size))
    if not (en or zh):   # Vietnamese alone: one row
        return TwoRows(upper, [], ink_extent(fonts, [upper]), (0, 0), 0)
    return TwoRows(upper, lower, ink_extent(fonts, [upper]), ink_extent(fonts, [lower]),
                   round(ROW_GAP * vi_size))


def fit_two_rows(fonts: FontBook, texts: tuple[str, str, str], box: tuple[int, int],
                 separator: str, trailing: str = "") -> TwoRows:
    """The rows at the largest Vietnamese size whose ink fits `box` (w, h); a width of
    1 << 30 means the rows may be as long as they like (a crawl)."""
    low, high = 1, max(box[1], 1)
    fits = lambda rows: rows.height <= box[1] and all(
        measure(fonts, row).width <= box[0] for row in (rows.upper, rows.lower))
    best = two_rows(fonts, texts, low, separator, trailing)
    while low < high:
        mid = (low + high + 1) // 2
        rows = two_rows(fonts, texts, mid, separator, trailing)
        if fits(rows):
            low, best = mid, rows
        else:
            high = mid - 1
    return best


def ink_extent(fonts: FontBook, variants: list[list[Run]]) -> tuple[int, int]:
    """(highest ink above, lowest ink below the baseline) over every version of a line."""
    top, bottom = 0, 0
    for runs in variants:
        for lang, text, size in runs:
            for glyph in fonts.glyphs(lang, size, text):
                if glyph.has_ink:
                    top, bottom = max(top, glyph.max_y), min(bottom, glyph.min_y)
    return top, bottom


def measure(fonts: FontBook, runs: list[Run]) -> Metrics:
    width, ascent, descent = 0, 0, 0
    for lang, text, size in runs:
        width += sum(g.advance for g in fonts.glyphs(lang, size, text))
        font = fonts.face_font(fonts.faces[lang])
        ascent = max(ascent, font.get_sized_ascender(size))
        descent = max(descent, -font.get_sized_descender(size))
    return Metrics(width, ascent, descent)


def render_runs(fonts: FontBook, runs: list[Run], style: TextStyle | None = None,
                metrics: Metrics | None = None) -> tuple[pygame.Surface, int]:
    """The line on a transparent surface sized to it, and the baseline's y in it."""
    style = style or TextStyle()
    metrics = metrics or measure(fonts, runs)
    pad = style.outline
    surface = pygame.Surface((max(metrics.width + 2 * pad, 1), max(metrics.height + 2 * pad, 1)),
                             pygame.SRCALPHA)
    baseline = pad + metrics.ascent
    if pad:
        for dx, dy in _ring(pad):
            _draw(surface, fonts, runs, pad + dx, baseline + dy, OUTLINE_COLOR)
    _draw(surface, fonts, runs, pad, baseline, color_rgb(style.color))
    return surface, baseline


def _ring(radius: int) -> list[tuple[int, int]]:
    """Offsets that stamp a round outline `radius` pixels wide around the glyphs."""
    return [(dx, dy) for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)
            if (dx or dy) and dx * dx + dy * dy <= radius * radius + radius]


def _draw(surface, fonts: FontBook, runs: list[Run], x: int, baseline: int, color) -> None:
    pen = x
    for lang, text, size in runs:
        glyphs = fonts.glyphs(lang, size, text)
        start = 0
        for (face, face_size), run in groupby(glyphs, key=lambda g: (g.face, g.size)):
            run = tuple(run)
            piece = text[start:start + len(run)]
            if piece.strip():
                image, rect = fonts.face_font(face, face_size).render(piece, color, size=face_size)
                surface.blit(image, (pen + rect.x, baseline - rect.y))
            pen += sum(g.advance for g in run)
            start += len(run)
