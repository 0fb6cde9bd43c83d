"""The approvals page's filmstrips: one small frame per item of a playlist revision, drawn
by the preview service (services.preview.item_frames_png) on the API's preview queue and
kept in memory (per app).

A revision's document never changes, so its frames are cached by revision id; only a clock
item's time would move, and a filmstrip is for reading the content, not the time. The
cache holds the latest few revisions (each strip is a few small PNGs).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import threading

from drivers.registry import panel_size
from signage.content.models import Playlist
from signage.services import revisions

FRAME_WIDTH = 192  # px: six frames fit a 1366 px screen beside the live strip; two a phone
KEEP_REVISIONS = 48

class StripCache:
    """The latest few revisions' frames, by revision id, for one app (one store)."""

    def __init__(self, keep: int = KEEP_REVISIONS):
        self.keep = keep
        # One strip drawn at a time: a page asks for every frame of every strip at once,
        # and the preview queue lets a person wait for two renders at most (429 beyond).
        self.drawing = asyncio.Lock()
        self._lock = threading.Lock()
        self._strips: collections.OrderedDict[int, list[bytes]] = collections.OrderedDict()

    def get(self, revision_id: int) -> list[bytes] | None:
        with self._lock:
            if revision_id in self._strips:
                self._strips.move_to_end(revision_id)
                return self._strips[revision_id]
        return None

    def put(self, revision_id: int, frames: list[bytes]) -> None:
        with self._lock:
            self._strips[revision_id] = frames
            while len(self._strips) > self.keep:
                self._strips.popitem(last=False)


_making = threading.Lock()


def cache_of(app) -> StripCache:
    """The app's cache: revision ids are per store, so never one cache for two apps."""
    with _making:
        if not hasattr(app.state, "filmstrips"):
            app.state.filmstrips = StripCache()
        return app.state.filmstrips


def frame_size(settings) -> tuple[int, int]:
    """The width and height of one filmstrip frame for this wall (for <img> attributes)."""
    width, height = panel_size(settings.driver)
    return FRAME_WIDTH, max(1, round(height * FRAME_WIDTH / width))


async def strip(app, caller: str, revision_id: int) -> list[bytes]:
    """The frames of playlist revision `revision_id` (NotFound, or Conflict for a schedule),
    from the cache or drawn now on the preview queue (Busy past its limits)."""
    cache = cache_of(app)
    frames = cache.get(revision_id)
    if frames is not None:
        return frames
    async with cache.drawing:
        frames = cache.get(revision_id)  # drawn for another frame's request while we waited
        if frames is None:
            job = functools.partial(_draw, app.state.store_slot.get().revisions,
                                    app.state.settings, app.state.clock, revision_id)
            frames = await asyncio.wrap_future(app.state.previews.submit(caller, job))
            cache.put(revision_id, frames)
    return frames


def _draw(revision_store, settings, clock, revision_id: int) -> list[bytes]:
    from signage.services.preview import item_frames_png  # pygame only on this path

    info = revisions.revision(revision_store, revision_id)
    if info.kind != "playlist":
        return []
    return item_frames_png(Playlist.model_validate(info.body), clock.now(),
                           size=panel_size(settings.driver), fonts=settings.fonts,
                           assets_dir=settings.assets_dir, width=FRAME_WIDTH)
