"""The renderer's shared state: item pictures (cached, prepared ahead), and frame buffers.

A Visual is made once per item and zone size and kept in a cache bounded by bytes.
With `background=True` the next item of each zone is rendered on a worker thread
(Pillow decodes and scales without holding the GIL), so an item change finds its
picture ready; without it (tests, preview) everything is rendered on demand, and the
pictures are the same either way.

Frames are 32-bit XRGB8888 pygame surfaces (the format of `pygame.Surface(size)`),
reused from frame to frame: drivers copy what they are handed (drivers/base.py).
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import logging
import sys
from typing import Hashable

import pygame

from signage.content.models import AnyItem, StandbyItem, VideoItem
from signage.errors import SignageError
from signage.render.blend import KERNEL, KERNEL_NOTE
from signage.render.fonts import FontBook
from signage.render.items import (STANDBY_MESSAGE, AssetPath, ItemError, StaticVisual, Visual,
                                  item_key, make_visual)
from signage.render.pictures import SPARE_SURFACES, frame_surfaces, new_frame
from signage.render.priority import PREFETCH_NICENESS, lowered
from signage.render.transitions import draw_transition
from signage.render.video import FilmError, film_info, trimmed_length

__all__ = ["CACHE_BYTES", "CROSSFADE_S", "Compositor", "ItemError", "STANDBY_MESSAGE",
           "cache_budget"]

log = logging.getLogger(__name__)

# The picture cache's bound: this many bytes, or room for CACHE_PANELS full-panel
# pictures (a zone's current and next), whichever is more. Pictures drawn in the last
# frame are never evicted (a layout whose pictures outgrow the bound would otherwise
# decode them again every frame), so the bound only decides how many pictures no zone
# shows are kept. At 1920x1080 a picture is 8.3 MB, and each one more costs peak memory.
CACHE_BYTES = 16 * 1024 * 1024
CACHE_PANELS = 2
# Evicted pictures are let go on the next calm frame, not during the item change that
# evicted them; at most this many wait. Their surfaces are drawn over by the pictures
# that come next (pictures.SPARE_SURFACES): making a new one holds the GIL for ~3 ms.
MAX_UNFREED = 2
CROSSFADE_S = 0.4  # how long a new playlist takes to fade over the old picture
STANDBY_ITEM = StandbyItem(kind="standby")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
# While a worker shares the GIL with the frame loop, make it hand the GIL back within 1 ms
# rather than the default 5 ms, or a frame could wait that long to start.
SWITCH_INTERVAL_S = 0.001


class Compositor:
    def __init__(self, size: tuple[int, int], fonts: FontBook, asset_path: AssetPath, *,
                 background: bool = False, cache_bytes: int | None = None, driver=None):
        """`driver`: the panel's, when it lends frame buffers for films to be decoded into
        (drivers.base.LendsBuffers); the player passes it, previews and tests need not."""
        self.size = tuple(size)
        self.film_surfaces = frame_surfaces(driver, self.size)
        self.fonts = fonts
        self.asset_path = asset_path
        self.cache_bytes = cache_budget(self.size) if cache_bytes is None else cache_bytes
        self._visuals: collections.OrderedDict[Hashable, Visual | concurrent.futures.Future] = (
            collections.OrderedDict())
        self._bytes = 0
        self._touched: set[Hashable] = set()  # cache keys asked for since the last frame
        self._kept: set[Hashable] = set()  # those of the last frame: not to be evicted
        self._unfreed: list[Visual] = []  # evicted, to be freed when the frame is calm
        self._to_free: list[Visual] = []  # for the worker, once the frame is out
        self._queued: list[tuple] = []  # prefetches for start_background_work to start
        self._worker: concurrent.futures.ThreadPoolExecutor | None = None
        if background:  # the player's compositor (tests and previews make their own)
            log.log(logging.INFO if KERNEL == "native" else logging.WARNING, KERNEL_NOTE)
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
            self._worker = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="prefetch", initializer=lowered(PREFETCH_NICENESS))
        self.frame = new_frame(self.size)  # the stage draws its zones here
        # Made on first use: a panel that never changes playlist never pays for them.
        self._film_lengths: dict = {}  # path -> seconds from the header
        self._held: pygame.Surface | None = None  # the picture a new playlist fades in over
        self._blend: pygame.Surface | None = None

    # --- item pictures --------------------------------------------------------------

    def visual(self, item: AnyItem, size: tuple[int, int], key: Hashable | None = None) -> Visual:
        """The item's Visual at `size` (cached). Raises ItemError when it cannot be shown."""
        key = (tuple(size), key or item_key(item))
        entry = self._visuals.get(key)
        if entry is None:
            entry = self._render(item, tuple(size))
            self._store(key, entry)
        elif isinstance(entry, concurrent.futures.Future):
            entry = self._resolve(key, entry, item, tuple(size))
        self._visuals.move_to_end(key)
        self._touched.add(key)
        return entry

    def cached(self, item: AnyItem, size: tuple[int, int], key: Hashable | None = None) -> Visual | None:
        """The item's Visual if it is made already (never makes one, never waits)."""
        entry = self._visuals.get((tuple(size), key or item_key(item)))
        return None if entry is None or isinstance(entry, concurrent.futures.Future) else entry

    def end_frame(self, calm: bool = True) -> None:
        """The pictures asked for since the last call are on screen: keep them cached.
        A calm frame (no transition under way) has time to free evicted pictures."""
        self._kept, self._touched = self._touched, set()
        if not calm:
            return
        if self._worker is not None:
            # Freed on the worker once the frame is out: unmapping 8 MB (and the pool
            # freeing the surface it lets go) cost the calm frame after an item change 1 ms.
            self._to_free += self._unfreed
            self._unfreed = []
        while self._unfreed:
            _recycle(self._unfreed.pop())

    def prefetch(self, item: AnyItem, size: tuple[int, int], key: Hashable | None = None) -> None:
        """Have the item rendered in the background, if there is a worker and no picture
        yet. The worker starts on it at the next start_background_work()."""
        key = (tuple(size), key or item_key(item))
        if self._worker is None or key in self._visuals:
            return
        # A stand-in until the work starts: visual() cancels it and renders at once, and
        # is_ready() and busy() see a picture still to come.
        placeholder: concurrent.futures.Future = concurrent.futures.Future()
        self._visuals[key] = placeholder
        self._queued.append((key, placeholder, item, tuple(size)))

    def start_background_work(self) -> None:
        """Hand the worker the pictures asked for since the last call.

        The player calls this once the frame is presented; films on screen go on decoding
        from here too (see FilmDecoder.frame_out). A worker that starts mid-frame
        takes the GIL from the frame thread as it opens and parses the file (Pillow's
        JPEG headers are Python), which cost the frame that started it 3 to 5 ms at
        1920x1080; started here, it runs while the frame loop waits for its next frame.
        """
        for key in self._kept:  # films on screen: their decoders fill the ring now
            frame_out = getattr(self._visuals.get(key), "frame_out", None)
            if frame_out is not None:
                frame_out()
        if self._to_free:
            self._worker.submit(_recycle_all, self._to_free)
            self._to_free = []
        queued, self._queued = self._queued, []
        for key, placeholder, item, size in queued:
            if self._visuals.get(key) is placeholder:  # not rendered meanwhile, nor evicted
                self._visuals[key] = self._worker.submit(self._render, item, size)

    def is_ready(self, item: AnyItem, size: tuple[int, int], key: Hashable | None = None) -> bool:
        """Whether visual() would return without waiting for the worker (always, without one)."""
        if self._worker is None:
            return True
        entry = self._visuals.get((tuple(size), key or item_key(item)))
        return entry is not None and (not isinstance(entry, concurrent.futures.Future) or entry.done())

    def _render(self, item: AnyItem, size: tuple[int, int]) -> Visual:
        try:
            return make_visual(item, size, self.fonts, self.asset_path, wait=self._worker is None,
                               surfaces=self.film_surfaces)
        except ItemError:
            raise
        except Exception as exc:  # a renderer bug must cost one item, not the screen
            log.exception("rendering a %s item failed", item.kind)
            raise ItemError(f"cannot render: {exc}") from None

    def _resolve(self, key, future, item, size) -> Visual:
        if future.cancel():  # still queued: faster to render it here than to wait
            visual = self._render_or_forget(key, item, size)
        else:
            try:
                visual = future.result()
            except ItemError:
                del self._visuals[key]
                raise
        self._visuals[key] = visual
        self._count(visual)
        return visual

    def _render_or_forget(self, key, item, size) -> Visual:
        try:
            return self._render(item, size)
        except ItemError:
            del self._visuals[key]
            raise

    def _store(self, key, visual: Visual) -> None:
        self._visuals[key] = visual
        self._count(visual)

    def _count(self, visual: Visual) -> None:
        self._bytes += visual.nbytes
        # Oldest first; pictures still being made and pictures on screen are skipped.
        for old_key in list(self._visuals):
            if self._bytes <= self.cache_bytes or len(self._visuals) <= 1:
                break
            old = self._visuals[old_key]
            if old is visual or isinstance(old, concurrent.futures.Future) or old_key in self._kept:
                continue
            del self._visuals[old_key]
            self._bytes -= old.nbytes
            _stop(old)
            self._unfreed = self._unfreed[-(MAX_UNFREED - 1):] + [old]

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    def busy(self) -> bool:
        """Whether the worker has pictures still to make (the bench gives it idle time)."""
        return any(isinstance(entry, concurrent.futures.Future) and not entry.done()
                   for entry in list(self._visuals.values()))

    # --- whole pictures (tests, preview, standby) ----------------------------------

    def item_surface(self, item: AnyItem) -> pygame.Surface:
        """The item's full-panel picture as it first appears. Raises ItemError."""
        return self.visual(item, self.size).picture(0.0, EPOCH)

    def standby(self, size: tuple[int, int] | None = None) -> pygame.Surface:
        """The built-in trilingual card shown when nothing else can play."""
        return self.visual(STANDBY_ITEM, size or self.size).picture(0.0, EPOCH)

    def hold(self, frame: pygame.Surface) -> pygame.Surface:
        """Keep a copy of `frame` (what is on screen) to fade a new picture in over."""
        if self._held is None:
            self._held = new_frame(self.size)
        self._held.blit(frame, (0, 0))
        return self._held

    @property
    def held(self) -> pygame.Surface | None:
        return self._held

    def crossfade(self, before: pygame.Surface, after: pygame.Surface, progress: float) -> pygame.Surface:
        """`before` fading into `after`; progress 0 shows before, 1 shows after."""
        if progress >= 1:
            return after
        if self._blend is None:
            self._blend = new_frame(self.size)
        draw_transition("crossfade", self._blend, pygame.Rect((0, 0), self.size), before, after,
                        progress)
        return self._blend

    def end_fade(self) -> None:
        """Free the fade's buffers (16 MB at 1920x1080): new playlists are rare."""
        self._held = self._blend = None

    def film_length(self, item: VideoItem) -> float | None:
        """How long one play of the item's (trimmed) film lasts, from its header; None
        if it cannot be opened (the item then fails when it comes on, and is skipped)."""
        try:
            path = self.asset_path(item.asset)
            if path not in self._film_lengths:
                self._film_lengths[path] = film_info(path).length
        except (FilmError, SignageError):
            return None
        return trimmed_length(item, self._film_lengths[path]) or None

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
        for entry in list(self._visuals.values()):
            _stop(entry)


def _stop(entry) -> None:
    """Stop a film's decoder thread (other pictures have nothing running)."""
    if isinstance(entry, concurrent.futures.Future):
        if not entry.done() or entry.exception() is not None:
            return
        entry = entry.result()
    close = getattr(entry, "close", None)
    if close is not None:
        close()


def _recycle_all(visuals: list[Visual]) -> None:
    while visuals:
        _recycle(visuals.pop())


def _recycle(visual: Visual) -> None:
    """Give an evicted picture's surface to be drawn over, if nothing else can show it."""
    surface = visual.surface if isinstance(visual, StaticVisual) else None
    del visual
    # The cache has let go of the Visual; if anyone else still holds it or its surface
    # (a caller of item_surface, say), the count is higher and the surface is left alone.
    # getrefcount counts `surface` here and its own argument.
    if surface is not None and sys.getrefcount(surface) <= 2:
        SPARE_SURFACES.give(surface)


def cache_budget(size: tuple[int, int]) -> int:
    """Bytes of pictures to keep for a panel of `size`: the floor, or CACHE_PANELS panels."""
    return max(CACHE_BYTES, CACHE_PANELS * 4 * size[0] * size[1])
