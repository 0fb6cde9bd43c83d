"""One renderer per item kind, each giving a Visual: the item's picture at a zone's size.

A Visual says when its picture changes (`key`) so the stage redraws a zone only then:
static kinds (message, image, standby) never change; a ticker changes with each pixel
it crawls; a clock with each minute it shows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Hashable, Protocol

import pygame

from signage.errors import SignageError
from signage.content.models import (AnyItem, ClockItem, ImageItem, Message, MessageItem, StandbyItem,
                            TextStyle, TickerItem, VideoItem)
from signage.render.cards import card_picture
from signage.render.clockface import ClockVisual
from signage.render.fonts import FontBook
from signage.render.images import ImageLoadError
from signage.render.pictures import SPARE_SURFACES, background, load_picture, surface_bytes
from signage.render.text import TextBlock, fit_message, reference_heights, render_message
from signage.settings import DEFAULT_MIN_CJK_PX, DEFAULT_MIN_LATIN_PX
from signage.render.ticker import TickerVisual
from signage.render.video import FilmDecoder, FilmError, VideoVisual, film_info

# A caption band takes at least CAPTION_SHARE of the zone's height at the bottom of the
# image, and grows (up to CAPTION_MAX_SHARE) until its Chinese and Latin text reach the
# default legibility floors: a picture half hidden is better than a caption nobody reads.
CAPTION_SHARE = 0.3
CAPTION_MAX_SHARE = 0.45
CAPTION_STEPS = 8
SAFE_MARGIN = 0.05  # of the zone's shorter side: no text nearer the edge than this
CAPTION_PLATE_ALPHA = 170
BACKGROUND_SHADE_ALPHA = 140

STANDBY_MESSAGE = Message(
    vi="Cửa khẩu Quốc tế Thanh Thủy – Hà Giang",
    en="Thanh Thuy International Border Gate – Ha Giang",
    zh="清水国际口岸 – 河江",
)

AssetPath = Callable[[str], Path]


class ItemError(SignageError):
    """An item that cannot be shown now; the player skips it and reports why."""


class Visual(Protocol):
    size: tuple[int, int]
    nbytes: int

    def key(self, into: float, now: dt.datetime) -> Hashable:
        """Changes exactly when the picture changes."""

    def draw(self, target: pygame.Surface, topleft: tuple[int, int], into: float,
             now: dt.datetime) -> None:
        """Draw the picture `into` seconds after the item came on, at `topleft` of target."""

    def picture(self, into: float, now: dt.datetime) -> pygame.Surface:
        """The picture as a zone-sized surface (valid until the next call)."""


class StaticVisual:
    """A picture that never changes (message, image, standby)."""

    def __init__(self, surface: pygame.Surface):
        self.surface = surface
        self.size = surface.get_size()
        self.nbytes = surface_bytes(surface)

    def key(self, into: float, now: dt.datetime) -> Hashable:
        return 0

    def draw(self, target, topleft, into, now) -> None:
        target.blit(self.surface, topleft)

    def picture(self, into, now) -> pygame.Surface:
        return self.surface


def item_key(item: AnyItem) -> Hashable:
    """What the picture depends on: equal content renders once, whatever its timing."""
    return item.kind, item.model_dump_json(exclude={"duration", "transition"})


def item_label(item: AnyItem) -> str:
    """A short human label for status pages."""
    if isinstance(item, (MessageItem, TickerItem)):
        return item.text.vi[:60]
    if isinstance(item, (ImageItem, VideoItem)):
        return item.caption.vi[:60] if item.caption else item.asset[:19]
    if isinstance(item, ClockItem):
        return ", ".join(item.zones)
    return "standby"


def make_visual(item: AnyItem, size: tuple[int, int], fonts: FontBook,
                asset_path: AssetPath, *, wait: bool = True, surfaces=SPARE_SURFACES) -> Visual:
    """Render `item` at `size`. Raises ItemError when it cannot be shown (e.g. a lost file).
    A film's frames come from its decoder thread; with `wait` each frame waits for the
    exact frame due (tests, previews), without it the player never waits. `surfaces`:
    where a film's frames are drawn (pictures.frame_surfaces)."""
    try:
        if isinstance(item, VideoItem):
            return video_visual(item, size, fonts, asset_path, wait, surfaces)
        if isinstance(item, MessageItem) and item.template != "plain":
            logo = asset_path(item.logo) if item.logo else None
            return StaticVisual(card_picture(item, size, fonts, logo))
        if isinstance(item, MessageItem):
            return StaticVisual(message_picture(item, size, fonts, asset_path))
        if isinstance(item, ImageItem):
            return StaticVisual(image_picture(item, size, fonts, asset_path))
        if isinstance(item, TickerItem):
            return TickerVisual(item, size, fonts)
        if isinstance(item, ClockItem):
            return ClockVisual(item, size, fonts)
        if isinstance(item, StandbyItem):
            return StaticVisual(standby_picture(size, fonts))
    except (ImageLoadError, FilmError) as exc:
        raise ItemError(str(exc)) from None
    raise ItemError(f"no renderer for items of kind {item.kind!r}")


def message_picture(item: MessageItem, size, fonts: FontBook, asset_path: AssetPath) -> pygame.Surface:
    if item.background:
        surface = load_picture(asset_path(item.background), size, "cover")
        # Darken the picture so white text keeps its contrast over any photo.
        shade = pygame.Surface(size, pygame.SRCALPHA)
        shade.fill((0, 0, 0, BACKGROUND_SHADE_ALPHA))
        surface.blit(shade, (0, 0))
    else:
        surface = background(size)
    surface.blit(text_block(item.text, size, fonts, item.style).surface, (0, 0))
    return surface


def image_picture(item: ImageItem, size, fonts: FontBook, asset_path: AssetPath) -> pygame.Surface:
    surface = load_picture(asset_path(item.asset), size, item.fit)
    if item.caption:
        band, text_box, plate, block = _caption_parts(item.caption, size, fonts, item.style)
        surface.blit(plate, band.topleft)
        surface.blit(block.surface, text_box.topleft)
    return surface


def caption_band(fonts: FontBook, caption: Message,
                 size: tuple[int, int]) -> tuple[pygame.Rect, pygame.Rect]:
    """(the band's rectangle, the text's box inside it) in a zone of `size`: the lowest band
    whose text meets the default floors, the text kept SAFE_MARGIN from the zone's edges."""
    width, height = size
    margin = round(min(size) * SAFE_MARGIN)
    low, high = int(height * CAPTION_SHARE), int(height * CAPTION_MAX_SHARE)
    for step in range(CAPTION_STEPS + 1):
        band_height = max(1, low + (high - low) * step // CAPTION_STEPS)
        box = (max(width - 2 * margin, 1), max(band_height - 2 * margin, 1))
        fit = fit_message(caption, box, fonts, margin_ratio=0)
        if fit.fits and _meets_floors(fonts, fit.sizes):
            break
    band = pygame.Rect(0, height - band_height, width, band_height)
    return band, pygame.Rect(margin, band.top + margin, *box)


def _meets_floors(fonts: FontBook, sizes: dict[str, int]) -> bool:
    heights = reference_heights(fonts, sizes)
    return all(h >= (DEFAULT_MIN_CJK_PX if lang == "zh" else DEFAULT_MIN_LATIN_PX)
               for lang, h in heights.items())


def _caption_parts(caption: Message, size, fonts: FontBook, style: TextStyle | None):
    """(band, text box, the dark plate, the text) of a caption in a zone of `size`."""
    band, text_box = caption_band(fonts, caption, size)
    plate = pygame.Surface(band.size, pygame.SRCALPHA)
    plate.fill((0, 0, 0, CAPTION_PLATE_ALPHA))
    block = render_message(caption, text_box.size, fonts, style=style, margin_ratio=0)
    return band, text_box, plate, block


def caption_plate(caption: Message, size, fonts: FontBook,
                  style: TextStyle | None) -> pygame.Surface:
    """A film's caption on its dark plate, band-high, drawn over each frame's bottom."""
    band, text_box, plate, block = _caption_parts(caption, size, fonts, style)
    plate.blit(block.surface, (text_box.left, text_box.top - band.top))
    return plate


def video_visual(item: VideoItem, size, fonts: FontBook, asset_path: AssetPath,
                 wait: bool, surfaces=SPARE_SURFACES) -> VideoVisual:
    """Open the film and decode its first frames (so it is ready when it comes on)."""
    path = asset_path(item.asset)
    info = film_info(path)
    decoder = FilmDecoder(path, size, item.fit, start=item.start, end=item.end, wait=wait,
                          declared=info.length, surfaces=surfaces)
    try:
        decoder.wait_first()
    except FilmError:
        decoder.close()
        raise
    band = caption_plate(item.caption, size, fonts, item.style) if item.caption else None
    return VideoVisual(decoder, band)


def standby_picture(size, fonts: FontBook) -> pygame.Surface:
    """The trilingual card; a zone too small to hold it legibly gets the plain backdrop."""
    surface = background(size)
    block = text_block(STANDBY_MESSAGE, size, fonts, None)
    if block.fits:
        surface.blit(block.surface, (0, 0))
    return surface


def text_block(message: Message, size, fonts: FontBook, style: TextStyle | None) -> TextBlock:
    return render_message(message, size, fonts, style=style)
