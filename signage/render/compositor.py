"""Turns playlist items into panel frames: renders each item once, then blends.

Items in this skeleton are static pictures, so each is rendered once into a cached
surface; a frame is then either that surface or a crossfade of two of them. Frames are
written into two alternating buffers (like a double-buffered canvas): the driver copies
what it is handed, and the buffer is reused two frames later.
"""

from __future__ import annotations

import collections
import logging
from pathlib import Path
from typing import Callable

import pygame

from signage.errors import SignageError
from signage.models import ImageItem, Message, MessageItem
from signage.render.fonts import FontBook
from signage.render.images import ImageLoadError, load_fitted
from signage.render.text import render_message

log = logging.getLogger(__name__)

BACKGROUND_TOP = (8, 32, 72)
BACKGROUND_BOTTOM = (2, 10, 28)
CAPTION_SHARE = 0.3  # of the panel height, at the bottom of an image
CACHE_BYTES = 96 * 1024 * 1024
CROSSFADE_S = 0.4  # how long one item takes to fade into the next

STANDBY_MESSAGE = Message(
    vi="Cửa khẩu Quốc tế Thanh Thủy – Hà Giang",
    en="Thanh Thuy International Border Gate – Ha Giang",
    zh="清水国际口岸 – 河江",
)


def _bytes(surface: pygame.Surface) -> int:
    return surface.get_bytesize() * surface.get_width() * surface.get_height()


class ItemError(SignageError):
    """An item that cannot be shown now; the player skips it and reports why."""


AssetPath = Callable[[str], Path]


class Compositor:
    def __init__(self, size: tuple[int, int], fonts: FontBook, asset_path: AssetPath):
        self.size = size
        self.fonts = fonts
        self.asset_path = asset_path
        self._cache: collections.OrderedDict[object, pygame.Surface] = collections.OrderedDict()
        self._cache_bytes = 0
        self._buffers = [pygame.Surface(size), pygame.Surface(size)]
        self._next_buffer = 0

    # --- items ----------------------------------------------------------------------

    def item_surface(self, item: MessageItem | ImageItem) -> pygame.Surface:
        """The picture of a static item at panel size (cached). Raises ItemError."""
        cached = self._cache.get(item)
        if cached is not None:
            self._cache.move_to_end(item)
            return cached
        try:
            if isinstance(item, MessageItem):
                surface = self._render_message_item(item)
            else:
                surface = self._render_image_item(item)
        except ImageLoadError as exc:
            raise ItemError(str(exc)) from None
        self._remember(item, surface)
        return surface

    def standby(self) -> pygame.Surface:
        """The built-in trilingual card shown when nothing else can play."""
        key = ("standby", self.size)
        if key not in self._cache:
            surface = self._background()
            surface.blit(render_message(STANDBY_MESSAGE, self.size, self.fonts).surface, (0, 0))
            self._remember(key, surface)
        return self._cache[key]

    def _render_message_item(self, item: MessageItem) -> pygame.Surface:
        if item.background:
            surface = load_fitted(self.asset_path(item.background), self.size, "cover")
            # Darken the picture so white text keeps its contrast over any photo.
            shade = pygame.Surface(self.size, pygame.SRCALPHA)
            shade.fill((0, 0, 0, 140))
            surface.blit(shade, (0, 0))
        else:
            surface = self._background()
        surface.blit(render_message(item.text, self.size, self.fonts).surface, (0, 0))
        return surface

    def _render_image_item(self, item: ImageItem) -> pygame.Surface:
        surface = load_fitted(self.asset_path(item.asset), self.size, item.fit)
        if item.caption:
            width, height = self.size
            band_height = max(1, int(height * CAPTION_SHARE))
            band = pygame.Surface((width, band_height), pygame.SRCALPHA)
            band.fill((0, 0, 0, 170))
            band.blit(render_message(item.caption, (width, band_height), self.fonts).surface, (0, 0))
            surface.blit(band, (0, height - band_height))
        return surface

    def _background(self) -> pygame.Surface:
        """A quiet vertical gradient: reads as 'on' even when the text is short."""
        width, height = self.size
        column = pygame.Surface((1, height))
        for y in range(height):
            t = y / max(1, height - 1)
            column.set_at((0, y), [round(a + (b - a) * t) for a, b in zip(BACKGROUND_TOP, BACKGROUND_BOTTOM)])
        return pygame.transform.scale(column, self.size)

    def _remember(self, key: object, surface: pygame.Surface) -> None:
        self._cache[key] = surface
        self._cache_bytes += _bytes(surface)
        while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cache_bytes -= _bytes(evicted)

    # --- frames ---------------------------------------------------------------------

    def crossfade(self, before: pygame.Surface, after: pygame.Surface, progress: float) -> pygame.Surface:
        """`before` fading into `after`; progress 0 shows before, 1 shows after."""
        if progress >= 1:
            return after
        frame = self._buffers[self._next_buffer]
        self._next_buffer ^= 1
        frame.blit(before, (0, 0))
        if progress > 0:
            after.set_alpha(round(255 * progress))
            frame.blit(after, (0, 0))
            after.set_alpha(None)
        return frame
