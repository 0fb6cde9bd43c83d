"""Designed cards: a message under a header band, as professional LED signs are laid out.

`template: card` puts a band across the top in the category's accent colour: the
category's label on the left (THÔNG BÁO / NOTICE / 通知 ...), the gate's name on the right,
and an optional logo from the library before the label. The emergency card (drawn only
for emergency notices) has a red band reading KHẨN CẤP / EMERGENCY / 紧急 across the whole
width and a red frame round a dark red body, so it cannot pass for an ordinary notice.

Every label is two rows, Vietnamese above and English · Chinese below at most three
quarters of its size (art. 18(2)); every text keeps the 5 % safe margin from the edges.
`card_layout` alone decides sizes and places, and the door checks read the sizes from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pygame

from signage.content.models import MessageItem
from signage.render.fonts import FontBook
from signage.render.pictures import background, load_logo
from signage.render.runs import TwoRows, fit_two_rows, measure, render_runs
from signage.render.text import render_message

SAFE_MARGIN = 0.05        # of the zone's shorter side: no text nearer the edge than this
BAND_SHARE = 0.26         # of the zone's height, for the header band
EMERGENCY_BAND_SHARE = 0.3
LABEL_SHARE = 0.45        # of the band's width the category label may take
GAP_SHARE = 0.04          # between the band's blocks and below the band, of the zone height
SEPARATOR = " · "
# The gate's name in the header, in Vietnamese alone, as the gate's own signs name it: with
# its English and Chinese on a row below, in the band's right half, 清水 drew about 9 px tall
# at 768x384, under the Han floor. The category label beside it is trilingual, and the
# standby card names the gate in all three languages.
GATE_NAME = ("Cửa khẩu Quốc tế Thanh Thủy", "", "")
EMERGENCY_LABEL = ("KHẨN CẤP", "EMERGENCY", "紧急")
WHITE, INK = (255, 255, 255), (12, 18, 28)


@dataclass(frozen=True)
class Category:
    label: tuple[str, str, str]
    accent: tuple[int, int, int]
    text: tuple[int, int, int]   # of the band's text: white, or dark on a light accent


CATEGORIES = {
    "notice": Category(("THÔNG BÁO", "NOTICE", "通知"), (0, 92, 185), WHITE),
    "info": Category(("THÔNG TIN", "INFORMATION", "信息"), (0, 122, 110), WHITE),
    "welcome": Category(("CHÀO MỪNG", "WELCOME", "欢迎"), (22, 128, 60), WHITE),
    "warning": Category(("CẢNH BÁO", "WARNING", "警告"), (255, 190, 0), INK),
}
EMERGENCY = Category(EMERGENCY_LABEL, (200, 16, 46), WHITE)
EMERGENCY_BODY = (40, 4, 8)


@dataclass(frozen=True)
class CardLayout:
    """Where a card's parts go in a zone: the band, its label and name blocks, the body."""

    band: pygame.Rect
    logo: pygame.Rect | None
    label: TwoRows
    label_box: pygame.Rect
    name: TwoRows | None
    name_box: pygame.Rect | None
    body: pygame.Rect

    def sizes(self) -> list[dict[str, int]]:
        """Font sizes by language of each header block (for the legibility floors)."""
        return [_sizes(rows) for rows in (self.label, self.name) if rows is not None]


def _sizes(rows: TwoRows) -> dict[str, int]:
    return {lang: size for lang, text, size in (*rows.upper, *rows.lower) if text.strip()}


@lru_cache(maxsize=64)
def card_layout(fonts: FontBook, template: str, category: str, size: tuple[int, int],
                has_logo: bool) -> CardLayout:
    width, height = size
    margin = round(min(size) * SAFE_MARGIN)
    gap = round(height * GAP_SHARE)
    emergency = template == "emergency"
    band = pygame.Rect(0, 0, width, round(height * (EMERGENCY_BAND_SHARE if emergency else BAND_SHARE)))
    inner = pygame.Rect(margin, margin, width - 2 * margin, band.height - margin - gap // 2)
    body = pygame.Rect(margin, band.bottom + gap, width - 2 * margin,
                       height - band.bottom - gap - margin)
    if emergency:
        label = fit_two_rows(fonts, EMERGENCY_LABEL, inner.size, SEPARATOR)
        return CardLayout(band, None, label, inner, None, None, body)
    logo = pygame.Rect(inner.topleft, (inner.height, inner.height)) if has_logo else None
    left = inner.left + (inner.height + gap if logo else 0)
    label_box = pygame.Rect(left, inner.top, round(inner.width * LABEL_SHARE), inner.height)
    label = fit_two_rows(fonts, CATEGORIES[category].label, label_box.size, SEPARATOR)
    label_box.width = max(measure(fonts, row).width for row in (label.upper, label.lower))
    name_box = pygame.Rect(label_box.right + 2 * gap, inner.top, 0, inner.height)
    name_box.width = max(inner.right - name_box.left, 1)
    name = fit_two_rows(fonts, GATE_NAME, name_box.size, SEPARATOR)
    return CardLayout(band, logo, label, label_box, name, name_box, body)


def card_picture(item: MessageItem, size: tuple[int, int], fonts: FontBook,
                 logo_path: Path | None) -> pygame.Surface:
    """The card for `item` at `size`, opaque."""
    layout = card_layout(fonts, item.template, item.category, tuple(size), logo_path is not None)
    emergency = item.template == "emergency"
    look = EMERGENCY if emergency else CATEGORIES[item.category]
    surface = background(size)
    if emergency:
        surface.fill(EMERGENCY_BODY)
        frame = max(2, round(min(size) * SAFE_MARGIN / 2))
        pygame.draw.rect(surface, look.accent, surface.get_rect(), frame)
    surface.fill(look.accent, layout.band)
    _draw_rows(surface, fonts, layout.label, layout.label_box, look.text, centre=emergency)
    if layout.name is not None:
        _draw_rows(surface, fonts, layout.name, layout.name_box, look.text, right=True)
    if layout.logo is not None and logo_path is not None:
        logo = load_logo(logo_path, layout.logo.size)
        surface.blit(logo, logo.get_rect(center=layout.logo.center))
    block = render_message(item.text, layout.body.size, fonts, style=item.style, margin_ratio=0)
    surface.blit(block.surface, layout.body.topleft)
    return surface


def _draw_rows(surface, fonts, rows: TwoRows, box: pygame.Rect, color, *, centre=False,
               right=False) -> None:
    """The two rows with their ink centred in the box's height, each row left-aligned (or
    centred, or right-aligned) in the box."""
    top = box.top + (box.height - rows.height) // 2
    upper = top + rows.upper_ink[0]
    baselines = (upper, upper - rows.upper_ink[1] + rows.gap + rows.lower_ink[0])
    for runs, baseline in zip((rows.upper, rows.lower), baselines):
        if not runs:
            continue
        metrics = measure(fonts, runs)
        text, text_baseline = render_runs(fonts, runs, None, metrics)
        text = _tinted(text, color)
        x = box.left
        if centre:
            x += (box.width - metrics.width) // 2
        elif right:
            x = box.right - metrics.width
        surface.blit(text, (x, baseline - text_baseline))


def _tinted(text: pygame.Surface, color) -> pygame.Surface:
    """White text drawn in `color` (render_runs draws in the style's colour, white here)."""
    if color == WHITE:
        return text
    tinted = text.copy()
    tinted.fill((*color, 255), special_flags=pygame.BLEND_RGBA_MULT)
    return tinted
