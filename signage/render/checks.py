"""Checks at the door: what the wall would actually draw, refused or flagged before it plays.

`signage validate` and the API's playlist PUT both call `check_playlist`, so a document
passes or fails the same way everywhere. Errors refuse the document; warnings are
printed (`FILE:LINE: path: warning: ...`) or returned in the API's response.

Errors:
- a character no configured font draws (it would show as a box);
- text whose drawn reference glyph ('H' for vi/en, '中' for zh, rows at least half lit)
  is below the legibility floor (Settings.min_latin_px / min_cjk_px), measured by laying
  the text out at its zone's size on the configured panel;
- a message that does not fit its zone even at the smallest type (it would be cut off).

Warnings:
- an item shown for less time than its slowest language takes to read. Reading rates
  start from the IReST standard silent reading speeds (Trauzettel-Klosinski & Dietz 2012,
  IOVS 53:5452): 228 words/min for English, 255 characters/min for Chinese. A wall is read
  from a distance, at a glance, often in a second language, so we take two thirds:
  English 2.5 words/s, Chinese 2.8 characters/s. Vietnamese is not in IReST; it writes
  every syllable as a separate word and our own trilingual texts take about 1.4 of them
  per English word, so 3.5 syllables/s. Each reader reads one language, so the time
  needed is the slowest language's, plus 1 s to find the text after the item changes.
- text colour below 4.5:1 contrast (WCAG 2 relative luminance) against what is behind
  it: the default gradient, a message's background image after the compositor's shade,
  or the image under a caption band. Per line, the background is taken at its 90th
  percentile of luminance behind light text (10th behind dark text), so a bright patch
  under part of a line counts. A plate always passes; an outline passes if the text
  has 4.5:1 against the outline's colour.
Tickers get the coverage and legibility checks; reading time does not apply to a crawl.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

from PIL import Image, ImageOps

from signage.content.documents import Document, Problem
from signage.content.fielderrors import format_path
from signage.content.models import (
    AnyItem,
    ClockItem,
    ImageItem,
    Message,
    MessageItem,
    Playlist,
    TextStyle,
    TickerItem,
    VideoItem,
    color_rgb,
)
from signage.render import cards, clockface, items, pictures, ticker
from signage.render.fonts import FontBook
from signage.render.images import MAX_DECODE_PIXELS
from signage.render.text import MessageFit, fit_message, reference_heights
from signage.settings import DEFAULT_MIN_CJK_PX, DEFAULT_MIN_LATIN_PX, Settings

LANG_NAMES = {"vi": "Vietnamese", "en": "English", "zh": "Chinese"}
READING_RATE = {"vi": 3.5, "en": 2.5, "zh": 2.8}   # syllables, words, characters per second
FIND_TEXT_S = 1.0
MIN_CONTRAST = 4.5
OUTLINE_RGB = (0, 0, 0)
_SAMPLE_WIDTH = 48  # columns a line's background is reduced to before taking percentiles

AssetFile = Callable[[str], "Path | None"]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Legibility floors in panel pixels: capital 'H' for vi/en, '中' for zh."""

    min_latin_px: int = DEFAULT_MIN_LATIN_PX
    min_cjk_px: int = DEFAULT_MIN_CJK_PX

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(settings.min_latin_px, settings.min_cjk_px)

    def floor(self, lang: str) -> tuple[int, str]:
        if lang == "zh":
            return self.min_cjk_px, "SIGNAGE_MIN_CJK_PX"
        return self.min_latin_px, "SIGNAGE_MIN_LATIN_PX"


@dataclasses.dataclass
class Findings:
    errors: list[Problem] = dataclasses.field(default_factory=list)
    warnings: list[Problem] = dataclasses.field(default_factory=list)


@functools.lru_cache(maxsize=4)
def shared_fonts(overrides: tuple[tuple[str, str], ...] = ()) -> FontBook:
    """One FontBook per font configuration for the process (finding faces takes a while)."""
    return FontBook(dict(overrides))


def fonts_for(settings: Settings) -> FontBook:
    return shared_fonts(tuple(sorted(settings.fonts.items())))


def check_playlist(
    playlist: Playlist,
    fonts: FontBook,
    panel: tuple[int, int],
    *,
    document: Document | None = None,
    limits: Limits = Limits(),
    asset_file: AssetFile = lambda ref: None,
) -> Findings:
    """Every error and warning for `playlist` shown on a `panel`-sized wall."""
    found = Findings()
    line_of = document.line_of if document else (lambda p: None)
    boxes = _zone_boxes(playlist, panel)
    for index, (_x, _y, width, height) in enumerate(boxes):
        if playlist.layout is not None and not (width and height):
            path = ("layout", index, "rect")
            found.errors.append(Problem(format_path(path), f"leaves no area on the {_px(panel)} "
                                        "panel; move the zone inside it", line_of(path),
                                        code="zone_outside_panel", params={"panel": _px(panel)}))
    for path, item in playlist.item_paths():
        box = boxes[path[1] if path[0] == "layout" else 0]
        if not (box[2] and box[3]):
            continue
        checker = _Checker(fonts, panel, box, limits, asset_file)
        checker.item(path, item)
        for finding in checker.found:
            problem = Problem(format_path(finding.path), finding.reason, line_of(finding.path),
                              finding.warning, finding.code, finding.params)
            (found.warnings if finding.warning else found.errors).append(problem)
    return found


def reading_seconds(message: Message) -> tuple[float, str, str]:
    """Seconds the slowest language needs, that language, and how its amount was counted."""
    needs = []
    for lang, text in zip(("vi", "en", "zh"), message.in_order()):
        amount, unit = _amount(lang, text)
        needs.append((FIND_TEXT_S + amount / READING_RATE[lang], lang, f"{amount} {unit}"))
    return max(needs)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours, 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# --- one item ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing a check found in an item, before it gets its source line."""

    path: tuple
    reason: str
    code: str
    params: dict
    warning: bool = False


class _Checker:
    """Collects (path, reason, is_warning) for one item in its zone."""

    def __init__(self, fonts, panel, box, limits, asset_file):
        self.fonts, self.panel, self.limits, self.asset_file = fonts, panel, limits, asset_file
        self.zone = box[2], box[3]
        self.found: list[Finding] = []

    def item(self, path: tuple, item: AnyItem) -> None:
        if isinstance(item, MessageItem):
            self._message(path, item)
        elif isinstance(item, ImageItem) and item.caption:
            self._caption(path, item)
        elif isinstance(item, VideoItem) and item.caption:
            self._caption_layout(path, item)  # no reading time: people watch the film
        elif isinstance(item, TickerItem):
            self._ticker(path, item)
        elif isinstance(item, ClockItem):
            self._clock(path, item)

    def _message(self, path: tuple, item: MessageItem) -> None:
        text_path = path + ("text",)
        if self._coverage(item.text, text_path):
            return
        if item.template != "plain":
            self._card(path, item)
            return
        fit = self._block(item.text, self.zone, text_path, "zone")
        self._reading(path, item.text, item.duration)
        background = self._message_background(item)
        self._contrast(path, item, _boxes(fit), background)

    def _card(self, path: tuple, item: MessageItem) -> None:
        """The body holds the message; the header's label must be legible too."""
        layout = cards.card_layout(self.fonts, item.template, item.category, self.zone,
                                   item.logo is not None)
        fit = self._block(item.text, layout.body.size, path + ("text",), "card body",
                          margin_ratio=0)
        for sizes in layout.sizes():
            self._floors(sizes, path + ("category",), f"{_px(self.zone)} card's header",
                         per_language=False, fix="give the card a larger zone")
        self._reading(path, item.text, item.duration)
        left, top = layout.body.topleft
        boxes = [(x + left, y + top, w, h) for x, y, w, h in _boxes(fit)]
        self._contrast(path, item, boxes, _gradient(self.zone))

    def _caption_layout(self, path: tuple, item: ImageItem | VideoItem):
        """Check a caption's glyphs and its fit in the band; (its fit, the text's box), or
        None when a glyph is missing."""
        caption_path = path + ("caption",)
        if self._coverage(item.caption, caption_path):
            return None
        _band, text_box = items.caption_band(self.fonts, item.caption, self.zone)
        fit = self._block(item.caption, text_box.size, caption_path, "caption band", margin_ratio=0)
        return fit, text_box

    def _caption(self, path: tuple, item: ImageItem) -> None:
        laid_out = self._caption_layout(path, item)
        if laid_out is None:
            return
        fit, text_box = laid_out
        self._reading(path, item.caption, item.duration)
        file = self.asset_file(item.asset)
        image = _fitted(file, self.zone, item.fit) if file else None
        if image is not None:
            image = _shaded(image.crop((text_box.left, text_box.top, text_box.right, text_box.bottom)),
                            items.CAPTION_PLATE_ALPHA)
        self._contrast(path, item, _boxes(fit), image, "caption")

    def _ticker(self, path: tuple, item: TickerItem) -> None:
        text_path = path + ("text",)
        self.found += [Finding(path + ("separator",), _not_covered(ch), "missing_glyph", {"char": ch})
                       for ch in self.fonts.missing("en", item.separator)]
        if self._coverage(item.text, text_path):
            return
        rows = ticker.ticker_sizes(self.fonts, item, self.zone[1])
        self._floors(rows, text_path, f"{_px(self.zone)} ticker")
        self._strip_contrast(path, item)

    def _clock(self, path: tuple, item: ClockItem) -> None:
        """The labels are built in, but a zone too small for them still fails the floors.
        All labels share one size, the one clockface draws them at."""
        covered = True
        for index, zone in enumerate(item.zones):
            texts = clockface.zone_label(zone)
            label = Message(vi=texts[0], en=texts[1], zh=texts[2])
            covered = not self._coverage(label, path + ("zones", index)) and covered
        if covered:
            sizes = clockface.label_sizes(self.fonts, item.zones, self.zone)
            self._floors(sizes, path + ("zones",), f"{_px(self.zone)} clock's zone labels",
                         per_language=False, fix="give the clock zone more room or fewer zones")
        self._strip_contrast(path, item)

    # --- the checks --------------------------------------------------------------------

    def _coverage(self, message: Message, path: tuple) -> bool:
        missing = [(path + (lang,), ch) for lang, text in zip(("vi", "en", "zh"), message.in_order())
                   for ch in self.fonts.missing(lang, text)]
        self.found += [Finding(p, _not_covered(ch), "missing_glyph", {"char": ch}) for p, ch in missing]
        return bool(missing)

    def _block(self, message: Message, size: tuple[int, int], path: tuple, where: str,
               margin_ratio: float = items.SAFE_MARGIN):
        fit = fit_message(message, size, self.fonts, margin_ratio=margin_ratio)
        if not fit.fits:
            self.found.append(Finding(path, f"does not fit the {_px(size)} {where} on a "
                                      f"{_px(self.panel)} panel even at the smallest type and would "
                                      "be cut off; shorten it or give it a larger zone",
                                      "does_not_fit", {"size": _px(size)}))
        self._floors(fit.sizes, path, f"{_px(size)} {where}")
        return fit

    def _floors(self, sizes: dict[str, int], path: tuple, where: str,
                per_language: bool = True, fix: str = "give the zone more height or shorten "
                "the text") -> None:
        heights = reference_heights(self.fonts, sizes)
        for lang, height in heights.items():
            floor, variable = self.limits.floor(lang)
            if height < floor:
                glyph = "中" if lang == "zh" else "H"
                self.found.append(Finding(path + ((lang,) if per_language else ()), (
                    f"{LANG_NAMES[lang]} would be drawn {height} px tall ('{glyph}') in the "
                    f"{where} on a {_px(self.panel)} panel, below the {floor} px floor "
                    f"({variable}); {fix}"
                ), "below_floor", {"lang": lang, "height": height, "floor": floor}))

    def _strip_contrast(self, path: tuple, item) -> None:
        """Tickers and clocks are drawn on the default backdrop; test the whole zone."""
        self._contrast(path, item, [(0, 0, *self.zone)], _gradient(self.zone))

    def _reading(self, path: tuple, message: Message, duration: float) -> None:
        needed, lang, amount = reading_seconds(message)
        if duration < needed:
            self.found.append(Finding(path + ("duration",), (
                f"{duration:g}s is shorter than the {needed:.1f}s the {LANG_NAMES[lang]} text "
                f"needs ({amount} at {READING_RATE[lang]:g}/s plus {FIND_TEXT_S:g}s to find "
                f"it); make it at least {math.ceil(needed)}s or shorten the text"
            ), "reading_time", {"lang": lang, "seconds": math.ceil(needed)}, warning=True))

    def _message_background(self, item: MessageItem) -> Image.Image:
        file = self.asset_file(item.background) if item.background else None
        image = _fitted(file, self.zone, "cover") if file else None
        if image is None:
            return _gradient(self.zone)
        return _shaded(image, items.BACKGROUND_SHADE_ALPHA)

    def _contrast(self, path, item, boxes, background, field="text") -> None:
        """Warn if the text colour stands out too little from `background` in any box."""
        style = item.style or TextStyle()
        if style.plate or background is None:
            return
        color = color_rgb(style.color)
        if style.outline and contrast_ratio(color, OUTLINE_RGB) >= MIN_CONTRAST:
            return
        worst = min((_box_contrast(color, background, box) for box in boxes), default=21.0)
        if worst < MIN_CONTRAST:
            where = path + (("style", "color") if item.style else (field,))
            self.found.append(Finding(where, (
                f"text colour {style.color} has {worst:.1f}:1 contrast against what is behind "
                f"it, below {MIN_CONTRAST}:1; set style.plate: true, add style.outline, or "
                "choose a colour that stands out"
            ), "low_contrast", {"color": style.color, "ratio": round(worst, 1)}, warning=True))


# --- helpers -----------------------------------------------------------------------------


def _zone_boxes(playlist: Playlist, panel: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    return [zone.box(panel) for zone in playlist.zones()]


def _px(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _not_covered(ch: str) -> str:
    return (f"character {ch!r} (U+{ord(ch):04X}) is not in any configured font; remove it "
            "or configure a font that has it")


_WORD = re.compile(r"\w", re.UNICODE)


def _amount(lang: str, text: str) -> tuple[int, str]:
    if lang != "zh":
        words = sum(1 for token in text.split() if _WORD.search(token))
        return words, "syllables" if lang == "vi" else "words"
    count, in_word = 0, False
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if ch.isalnum() and wide:
            count, in_word = count + 1, False
        elif ch.isalnum():
            count, in_word = count + (not in_word), True   # a Latin word or number is one
        elif ch not in ":.,":
            in_word = False   # 7:00 and 3.5 stay one
    return count, "characters"


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(rgb: Iterable[int]) -> float:
    r, g, b = rgb
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def _boxes(fit: MessageFit) -> list[tuple[int, int, int, int]]:
    """(left, top, width, height) of each drawn line's ink."""
    return [(line.rect.left, line.rect.top, line.rect.width, line.rect.height)
            for line in fit.lines]


def _box_contrast(color, background: Image.Image, box: tuple[int, int, int, int]) -> float:
    left, top, width, height = box
    region = background.crop((left, top, left + width, top + height))
    if region.width > _SAMPLE_WIDTH:
        height = max(1, round(region.height * _SAMPLE_WIDTH / region.width))
        region = region.resize((_SAMPLE_WIDTH, height), Image.Resampling.BOX)
    # Each distinct colour once, with its count: a backdrop has few colours, and taking
    # the luminance of every pixel made a big playlist's check take tens of seconds.
    counted = region.getcolors(max(1, region.width * region.height)) or []
    levels = sorted((_luminance(rgb[:3]), count) for count, rgb in counted)
    total = sum(count for _, count in levels)
    if not total:
        return 21.0
    text = _luminance(color)
    light_text = text > _nth(levels, total // 2)
    behind = _nth(levels, min(total - 1, int(total * 0.9))) if light_text \
        else _nth(levels, int(total * 0.1))
    high, low = max(text, behind), min(text, behind)
    return (high + 0.05) / (low + 0.05)


def _nth(levels: list[tuple[float, int]], index: int) -> float:
    """The index-th smallest level of a sorted list of (level, how many times)."""
    for level, count in levels:
        if index < count:
            return level
        index -= count
    return levels[-1][0]


def _fitted(file: Path, size: tuple[int, int], fit: str) -> Image.Image | None:
    """The image as the compositor fits it; None if it cannot be read (import says why)."""
    try:
        with Image.open(file) as source:
            if source.width * source.height > MAX_DECODE_PIXELS:
                return None
            image = ImageOps.exif_transpose(source).convert("RGB")
    except Exception:  # a broken file is the asset check's finding, not ours
        return None
    if fit == "cover":
        return ImageOps.fit(image, size, Image.Resampling.BILINEAR)
    if fit == "stretch":
        return image.resize(size, Image.Resampling.BILINEAR)
    contained = ImageOps.contain(image, size, Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", size)
    canvas.paste(contained, ((size[0] - contained.width) // 2, (size[1] - contained.height) // 2))
    return canvas


def _shaded(image: Image.Image, alpha: int) -> Image.Image:
    return Image.blend(image, Image.new("RGB", image.size), alpha / 255)


@functools.lru_cache(maxsize=64)  # callers only crop it; one per zone size
def _gradient(size: tuple[int, int]) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, max(height, 1)))
    top, bottom = pictures.BACKGROUND_TOP, pictures.BACKGROUND_BOTTOM
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize((max(width, 1), max(height, 1)))
