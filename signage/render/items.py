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
from signage.render.clockface import ClockVisual
from signage.render.fonts import FontBook
from signage.render.images import ImageLoadError
from signage.render.pictures import background, load_picture, surface_bytes
from signage.render.text import TextBlock, render_message
from signage.render.ticker import TickerVisual
from signage.render.video import FilmDecoder, FilmError, VideoVisual, film_info

CAPTION_SHARE = 0.3  # of the zone height, at the bottom of an image
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
                asset_path: AssetPath, *, wait: bool = True) -> Visual:
    """Render `item` at `size`. Raises ItemError when it cannot be shown (e.g. a lost file).
    A film's frames come from its decoder thread; with `wait` each frame waits for the
    exact frame due (tests, previews), without it the player never waits."""
    try:
        if isinstance(item, VideoItem):
            return video_visual(item, size, fonts, asset_path, wait)
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
        band = caption_band(item.caption, size, fonts, item.style)
        surface.blit(band, (0, size[1] - band.get_height()))
    return surface


def caption_band(caption: Message, size, fonts: FontBook, style: TextStyle | None) -> pygame.Surface:
    """The caption on its dark plate, for the bottom of an image or a film."""
    width, height = size
    band_height = max(1, int(height * CAPTION_SHARE))
    band = pygame.Surface((width, band_height), pygame.SRCALPHA)
    band.fill((0, 0, 0, CAPTION_PLATE_ALPHA))
    band.blit(text_block(caption, (width, band_height), fonts, style).surface, (0, 0))
    return band


def video_visual(item: VideoItem, size, fonts: FontBook, asset_path: AssetPath,
                 wait: bool) -> VideoVisual:
    """Open the film and decode its first frames (so it is ready when it comes on)."""
    path = asset_path(item.asset)
    info = film_info(path)
    decoder = FilmDecoder(path, size, item.fit, start=item.start, end=item.end, wait=wait,
                          declared=info.length)
    try:
        decoder.wait_first()
    except FilmError:
        decoder.close()
        raise
    band = caption_band(item.caption, size, fonts, item.style) if item.caption else None
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
