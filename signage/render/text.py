"""Lay out and draw a trilingual message: Vietnamese on top and largest, then English, Chinese.

Vietnam's Law on Advertising 2012, art. 18(2): foreign-language text goes below the
Vietnamese and its type is at most three quarters of the Vietnamese size. The law does not
say how type is measured, so the basis is a site setting (SIGNAGE_FOREIGN_SIZE_BASIS):
- glyph (default, strict): English font size <= 0.75 x Vietnamese, and the drawn height
  of an English 'H' and of a Chinese '中' <= 0.75 x the drawn height of a Vietnamese 'H'.
  A Chinese character fills its em square and a Latin capital does not, so Chinese is
  drawn at about 0.6 x the Vietnamese font size.
- size: both foreign font sizes <= 0.75 x the Vietnamese font size (type size as print
  measures it); Chinese then draws about as tall as the Vietnamese capitals.
Either way the foreign lines get all the room the rule allows (ratio 0.75) and the whole
block shrinks together when it does not fit.

Lines break at spaces (vi/en) or between characters (zh), never inside a Vietnamese
two-syllable word the lexicon knows ("cán bộ", "cửa khẩu") unless it alone is wider than
the line, and each language is re-wrapped at the narrowest width that keeps its line
count, so no line is left short. A newline in the text ("\n" in a quoted YAML string)
is a manual break.

A TextStyle adds a colour, an outline (a hard-edged dark ring: antialiased rings turn
into dim grey halos on LED pixels, a 1-bit ring maps onto them cleanly) and a plate (a
dark rounded rectangle behind each language's lines).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

import pygame

from signage.content.models import Message, TextStyle, color_rgb
from signage.render.breaks import dashes_bound, vietnamese_words
from signage.render.fonts import FontBook, Glyph

LEGAL_MAX_RATIO = 0.75
EN_RATIO = 0.75   # English font size / Vietnamese font size: all the rule allows
ZH_RATIO = 0.75   # ink of '中' / ink of the Vietnamese 'H'; CJK reads small, so at the cap
MIN_SIZE = 10   # below this a bold H is no longer crisp on a panel, and nobody can read it
GROUP_GAP = 0.3   # blank between language groups, in Vietnamese font sizes
MAX_CACHED_LAYOUTS = 256
OUTLINE_COLOR = (0, 0, 0, 255)
PLATE_COLOR = (0, 0, 0, 224)   # dark enough that white text keeps 15:1 over a white photo
PLATE_PADDING = 0.15  # around each language's lines, in that language's font sizes

# Chinese line breaking: these never start a line, those never end one.
NO_LINE_START = set("，。、．,.!?！？：；:;）)］]｝}」』】〕〉》”’%％…‥·・〜～ー々—")
NO_LINE_END = set("（([［{｛「『【〔〈《“‘")


@dataclass(frozen=True)
class LineBox:
    """One drawn line: its language, text, ink rectangle in the surface, font size, baseline y."""

    lang: str
    text: str
    rect: pygame.Rect
    size: int
    baseline: int


@dataclass(frozen=True)
class TextBlock:
    """A rendered message; `surface` is exactly the box size and transparent around the glyphs."""

    surface: pygame.Surface
    lines: list[LineBox]
    sizes: dict[str, int]
    fits: bool

    def lines_for(self, lang: str) -> list[LineBox]:
        return [line for line in self.lines if line.lang == lang]


@dataclass(frozen=True)
class MessageFit:
    """Where render_message would put each line, without drawing (for the checks)."""

    lines: list[LineBox]
    sizes: dict[str, int]
    fits: bool


@dataclass(frozen=True)
class _Line:
    lang: str
    text: str
    size: int
    glyphs: tuple[Glyph, ...]
    left: int      # ink extent relative to the pen start, x to the right, y up
    right: int
    top: int
    bottom: int
    ascent: int    # line box above / below the baseline
    descent: int


@dataclass(frozen=True)
class _Layout:
    lines: tuple[tuple[_Line, int, int], ...]   # (line, pen x, baseline y) in the box
    sizes: tuple[tuple[str, int], ...]
    fits: bool


def foreign_sizes(
    fonts: FontBook, vi_size: int, en_ratio: float = EN_RATIO, zh_ratio: float = ZH_RATIO
) -> tuple[int, int]:
    """English and Chinese font sizes for a Vietnamese size, within the three-quarter rule."""
    if not (0 < en_ratio <= LEGAL_MAX_RATIO and 0 < zh_ratio <= LEGAL_MAX_RATIO):
        raise ValueError(
            f"size ratios must be in (0, {LEGAL_MAX_RATIO}] (Law on Advertising 2012 art. 18)"
        )
    if fonts.basis == "size":
        return (max(math.floor(vi_size * en_ratio + 1e-9), 1),
                max(math.floor(vi_size * zh_ratio + 1e-9), 1))
    # The Vietnamese 'H' counted by its fully lit rows, foreign glyphs by any lit pixel,
    # so the rule holds at any threshold an inspector might choose.
    reference = fonts.ink_height("vi", vi_size, threshold=254)
    en = min(math.floor(vi_size * en_ratio + 1e-9), vi_size * 3 // 4)
    while en > 1 and fonts.ink_height("en", en) > LEGAL_MAX_RATIO * reference:
        en -= 1
    zh = vi_size * 3 // 4
    while zh > 1 and fonts.ink_height("zh", zh) > zh_ratio * reference:
        zh -= 1
    return max(en, 1), max(zh, 1)


def render_message(
    message: Message,
    size: tuple[int, int],
    fonts: FontBook,
    *,
    color: tuple[int, int, int] = (255, 255, 255),
    margin_ratio: float = 0.05,
    en_ratio: float = EN_RATIO,
    zh_ratio: float = ZH_RATIO,
    style: TextStyle | None = None,
) -> TextBlock:
    """Draw `message` as large as fits in `size`, margin_ratio x the short side from the edges.

    `style` (colour, outline, plate) takes precedence over `color`."""
    layout = _layout(fonts, message.in_order(), tuple(size), margin_ratio, en_ratio, zh_ratio)
    surface = pygame.Surface(size, pygame.SRCALPHA)
    if not layout.fits:
        surface.set_clip(_inner(tuple(size), margin_ratio))
    color = color_rgb(style.color) if style else color
    boxes = [_draw_line(surface, fonts, line, x, y, color) for line, x, y in layout.lines]
    surface.set_clip(None)
    lines = [b for b in boxes if b is not None]
    return TextBlock(_styled(surface, lines, style), lines, dict(layout.sizes), layout.fits)


def fit_message(
    message: Message,
    size: tuple[int, int],
    fonts: FontBook,
    *,
    margin_ratio: float = 0.05,
    en_ratio: float = EN_RATIO,
    zh_ratio: float = ZH_RATIO,
) -> MessageFit:
    """The lines, sizes and fit render_message would draw, at layout cost only."""
    layout = _layout(fonts, message.in_order(), tuple(size), margin_ratio, en_ratio, zh_ratio)
    bounds = pygame.Rect((0, 0), size) if layout.fits else _inner(tuple(size), margin_ratio)
    lines = [
        LineBox(line.lang, line.text, _ink_rect(line, x, y).clip(bounds), line.size, y)
        for line, x, y in layout.lines if line.right > line.left
    ]
    return MessageFit(lines, dict(layout.sizes), layout.fits)


def reference_heights(fonts: FontBook, sizes: dict[str, int], threshold: int = 127) -> dict[str, int]:
    """Drawn height of each language's reference glyph (H, 中) at its size, counting rows
    at least half lit: what a legibility floor is measured against."""
    return {lang: fonts.ink_height(lang, size, threshold=threshold) for lang, size in sizes.items()}


def _styled(text: pygame.Surface, lines: list[LineBox], style: TextStyle | None) -> pygame.Surface:
    """The text layer with its plate under it and its outline around the glyphs."""
    if style is None or not (style.outline or style.plate):
        return text
    out = pygame.Surface(text.get_size(), pygame.SRCALPHA)
    if style.plate:
        _draw_plates(out, lines, style.outline)
    if style.outline:
        out.blit(outline_ring(text, style.outline), (-style.outline, -style.outline))
    out.blit(text, (0, 0))
    return out


def _draw_plates(surface: pygame.Surface, lines: list[LineBox], outline: int) -> None:
    # draw writes pixels without blending, so plates that meet do not darken each other
    for _lang, group in groupby(lines, key=lambda line: line.lang):
        group = list(group)
        pad = max(2, round(PLATE_PADDING * group[0].size)) + outline
        rect = group[0].rect.unionall([line.rect for line in group[1:]]).inflate(2 * pad, 2 * pad)
        pygame.draw.rect(surface, PLATE_COLOR, rect, border_radius=pad)


def outline_ring(text: pygame.Surface, width: int) -> pygame.Surface:
    """A hard-edged ring `width` px around every lit pixel of `text`; blit it at
    (-width, -width) under the text. One mask convolution, not one blit per offset."""
    disc = pygame.mask.Mask((2 * width + 1, 2 * width + 1))
    for y in range(-width, width + 1):
        for x in range(-width, width + 1):
            # r^2 + r rounds the disc so a 1 px outline also covers the diagonals' neighbours
            if x * x + y * y <= width * width + width:
                disc.set_at((x + width, y + width))
    grown = pygame.mask.from_surface(text, 0).convolve(disc)
    return grown.to_surface(setcolor=OUTLINE_COLOR, unsetcolor=(0, 0, 0, 0))


def wrap(fonts: FontBook, lang: str, size: int, text: str, max_width: int) -> list[str]:
    """Break `text` into lines no wider than max_width: words for vi/en, characters for zh."""
    lines: list[str] = []
    text = _drop_invisible(text)
    fonts.glyphs(lang, size, text)  # one FreeType call for all new glyphs
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(fonts, lang, size, paragraph, max_width) or [""])
    return lines


def _inner(size: tuple[int, int], margin_ratio: float) -> pygame.Rect:
    margin = round(min(size) * margin_ratio)
    return pygame.Rect(margin, margin, max(size[0] - 2 * margin, 1), max(size[1] - 2 * margin, 1))


@lru_cache(maxsize=MAX_CACHED_LAYOUTS)
def _layout(fonts, texts, size, margin_ratio, en_ratio, zh_ratio) -> _Layout:
    inner = _inner(size, margin_ratio)
    fit = lambda vi_size: _stack(fonts, texts, vi_size, inner, en_ratio, zh_ratio)
    low, high = MIN_SIZE, max(min(inner.height, _upper_bound(fonts, texts, inner)), MIN_SIZE)
    best = fit(low)
    if best is None:
        overflowing = _stack(fonts, texts, low, inner, en_ratio, zh_ratio, force=True)
        return _place(overflowing, inner, False)
    # Fit is monotonic enough in size: a larger size never wraps into fewer lines.
    while low < high:
        mid = (low + high + 1) // 2
        stacked = fit(mid)
        if stacked is None:
            high = mid - 1
        else:
            low, best = mid, stacked
    return _place(_balance(fonts, texts, best, inner), inner, True)


def _upper_bound(fonts: FontBook, texts, inner: pygame.Rect, probe: int = 32) -> int:
    """A Vietnamese size above which the text cannot fit: its ink would exceed the box's area.

    Narrows the binary search, since each size tried loads every glyph at that size.
    """
    en_size, zh_size = foreign_sizes(fonts, probe)
    area = 0
    for lang, text, size in zip(("vi", "en", "zh"), texts, (probe, en_size, zh_size)):
        font = fonts.face_font(fonts.faces[lang])
        line_height = font.get_sized_ascender(size) - font.get_sized_descender(size)
        area += sum(g.advance for g in fonts.glyphs(lang, size, text)) * line_height
    # 1.2: hinting rounds sizes unevenly, so the area does not scale exactly as size squared
    return math.ceil(1.2 * probe * math.sqrt(inner.width * inner.height / max(area, 1)))


def _stack(fonts, texts, vi_size, inner, en_ratio, zh_ratio, force=False):
    """Lines of all three languages at vi_size, or None if they do not fit in `inner`."""
    en_size, zh_size = foreign_sizes(fonts, vi_size, en_ratio, zh_ratio)
    groups = []
    height = -round(GROUP_GAP * vi_size)
    for lang, text, lang_size in zip(("vi", "en", "zh"), texts, (vi_size, en_size, zh_size)):
        wrapped = wrap(fonts, lang, lang_size, text, inner.width)
        lines = [_measure(fonts, lang, lang_size, line) for line in wrapped]
        height += round(GROUP_GAP * vi_size) + _height(lines)
        too_wide = any(line.right - line.left > inner.width for line in lines)
        if not force and (height > inner.height or too_wide):
            return None
        groups.append(lines)
    return groups, height, vi_size


def _balance(fonts: FontBook, texts, stacked, inner: pygame.Rect):
    """Re-wrap each language at the narrowest width that keeps its line count (no orphan word)."""
    groups, height, vi_size = stacked
    balanced = []
    for text, lines in zip(texts, groups):
        lang, size = lines[0].lang, lines[0].size
        if len(lines) > 1:
            # never narrower than the widest word, or words would be cut to keep the count
            low = min(_widest_cluster(fonts, lang, size, text), inner.width)
            high = inner.width
            while low < high:
                mid = (low + high) // 2
                if len(wrap(fonts, lang, size, text, mid)) <= len(lines):
                    high = mid
                else:
                    low = mid + 1
            lines = [_measure(fonts, lang, size, t) for t in wrap(fonts, lang, size, text, high)]
        balanced.append(lines)
    new_height = height + sum(_height(b) - _height(g) for b, g in zip(balanced, groups))
    return (balanced, new_height, vi_size) if new_height <= inner.height else stacked


def _height(lines) -> int:
    return sum(line.ascent + line.descent for line in lines)


def _widest_cluster(fonts: FontBook, lang: str, size: int, text: str) -> int:
    clusters = (c for paragraph in text.split("\n") for _, c in _clusters(lang, paragraph))
    return max((_width(_extend(_EMPTY, fonts.glyphs(lang, size, c))) for c in clusters), default=0)


def _place(stacked, inner: pygame.Rect, fits: bool) -> _Layout:
    groups, height, vi_size = stacked
    y = inner.top + (inner.height - height) // 2
    placed = []
    for n, lines in enumerate(groups):
        y += round(GROUP_GAP * vi_size) if n else 0
        for line in lines:
            baseline = y + line.ascent
            # centre the ink, not the advance: trailing side bearings would pull it off centre
            x = inner.left + (inner.width - (line.right - line.left)) // 2 - line.left
            placed.append((line, x, baseline))
            y = baseline + line.descent
    sizes = tuple((lines[0].lang, lines[0].size) for lines in groups if lines)
    return _Layout(tuple(placed), sizes, fits)


def _measure(fonts: FontBook, lang: str, size: int, text: str) -> _Line:
    glyphs = fonts.glyphs(lang, size, text)
    _, left, right, top, bottom = _extend(_EMPTY, glyphs)
    if left > right:
        left = right = top = bottom = 0
    font = fonts.face_font(fonts.faces[lang])
    ascent = max(font.get_sized_ascender(size), top)
    descent = max(-font.get_sized_descender(size), -bottom)
    return _Line(lang, text, size, glyphs, left, right, top, bottom, ascent, descent)


# (pen x, ink left, ink right, ink top, ink bottom); left > right means no ink yet
_EMPTY = (0, 1 << 30, -(1 << 30), -(1 << 30), 1 << 30)


def _extend(state: tuple, glyphs) -> tuple:
    """Extent of a line after appending glyphs, so wrapping measures each glyph once."""
    pen, left, right, top, bottom = state
    for g in glyphs:
        if g.has_ink:
            left, right = min(left, pen + g.min_x), max(right, pen + g.max_x)
            top, bottom = max(top, g.max_y), min(bottom, g.min_y)
        pen += g.advance
    return pen, left, right, top, bottom


def _width(state: tuple) -> int:
    return max(state[2] - state[1], 0)


@lru_cache(maxsize=1 << 16)
def _piece_extent(fonts, lang: str, size: int, piece: str) -> tuple:
    """_extend of a word (or cluster) from a pen at 0: wrapping tries the same words at the
    same size for every width it tries, and a save checks hundreds of items."""
    return _extend(_EMPTY, fonts.glyphs(lang, size, piece))


def _append(state: tuple, extent: tuple) -> tuple:
    """`state` extended by a piece whose own extent (from pen 0) is `extent`: the same as
    _extend with the piece's glyphs, without walking them again."""
    pen, left, right, top, bottom = state
    advance, piece_left, piece_right, piece_top, piece_bottom = extent
    if piece_left > piece_right:  # no ink: only the pen moves
        return pen + advance, left, right, top, bottom
    return (pen + advance, min(left, pen + piece_left), max(right, pen + piece_right),
            max(top, piece_top), min(bottom, piece_bottom))


def _wrap_paragraph(fonts, lang, size, paragraph, max_width) -> list[str]:
    lines: list[str] = []
    current, state = "", _EMPTY
    pending = _clusters(lang, paragraph)[::-1]   # a stack: a compound may come back split
    while pending:
        sep, cluster = pending.pop()
        piece = sep + cluster if current else cluster
        trial = _append(state, _piece_extent(fonts, lang, size, piece))
        if _width(trial) <= max_width:
            current, state = current + piece, trial
        elif current:   # try it again at the start of a new line
            lines.append(current)
            current, state = "", _EMPTY
            pending.append((sep, cluster))
        elif " " in cluster:   # a compound wider than the line: break at its space after all
            pending.extend((" ", word) for word in reversed(cluster.split(" ")))
        else:   # last resort: a word (or bound Chinese cluster) wider than the line is cut
            pieces = _break_chars(fonts, lang, size, cluster, max_width)
            lines.extend(pieces[:-1])
            current = pieces[-1]
            state = _extend(_EMPTY, fonts.glyphs(lang, size, current))
    if current:
        lines.append(current)
    return lines


def _clusters(lang: str, paragraph: str) -> list[tuple[str, str]]:
    """Unbreakable pieces, each with the separator before it: en words, vi words and
    two-syllable compounds, zh glued characters."""
    if lang == "vi":
        return [(" ", word) for word in dashes_bound(vietnamese_words(paragraph.split()))]
    if lang != "zh":
        return [(" ", word) for word in dashes_bound(paragraph.split())]
    clusters: list[tuple[str, str]] = []
    sep = ""
    for ch in paragraph:
        if ch.isspace():
            sep = " " if clusters else ""
            continue
        if clusters and (ch in NO_LINE_START or (not sep and _binds(clusters[-1][1][-1], ch))):
            # a closing mark pulls the character before it down to the next line with it
            clusters[-1] = (clusters[-1][0], clusters[-1][1] + sep + ch)
        else:
            clusters.append((sep, ch))
        sep = ""
    return clusters


def _binds(prev: str, ch: str) -> bool:
    if prev in NO_LINE_END:
        return True
    # Latin words and numbers inside Chinese text are not split
    return _is_narrow_word_char(prev) and _is_narrow_word_char(ch)


def _is_narrow_word_char(ch: str) -> bool:
    return ch.isalnum() and unicodedata.east_asian_width(ch) not in ("W", "F")


def _break_chars(fonts, lang, size, text: str, max_width: int) -> list[str]:
    pieces, state = [""], _EMPTY
    for ch, glyph in zip(text, fonts.glyphs(lang, size, text)):
        trial = _extend(state, (glyph,))
        if pieces[-1] and _width(trial) > max_width:
            pieces.append("")
            trial = _extend(_EMPTY, (glyph,))
        pieces[-1] += ch
        state = trial
    return pieces


def _drop_invisible(text: str) -> str:
    # format characters (zero-width space, soft hyphen, joiners) have no glyph in our faces
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cf")


def _draw_line(surface, fonts, line: _Line, x: int, baseline: int, color) -> LineBox | None:
    """Blit the line run by run; a run ends where a fallback face (or size) takes over."""
    if line.right <= line.left:
        return None
    pen, start = x, 0
    for (face, size), run in groupby(line.glyphs, key=lambda g: (g.face, g.size)):
        run = tuple(run)
        text = line.text[start:start + len(run)]
        if text.strip():
            image, rect = fonts.face_font(face, size).render(text, color, size=size)
            surface.blit(image, (pen + rect.x, baseline - rect.y))
        pen += sum(glyph.advance for glyph in run)
        start += len(run)
    rect = _ink_rect(line, x, baseline)
    return LineBox(line.lang, line.text, rect.clip(surface.get_clip()), line.size, baseline)


def _ink_rect(line: _Line, x: int, baseline: int) -> pygame.Rect:
    width, height = line.right - line.left, line.top - line.bottom
    return pygame.Rect(x + line.left, baseline - line.top, width, height)
