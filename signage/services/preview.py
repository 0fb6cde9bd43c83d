"""`signage preview` and the API's revision preview: the frame a playlist shows at an
offset, drawn from scratch without the frame loop."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from typing import Mapping

import pygame
from PIL import Image

from signage.clock import SystemClock
from signage.services.importer import check_asset_files, read_playlist
from signage.content.models import MIN_DURATION_S, Message, Playlist, VideoItem
from signage.render.compositor import Compositor
from signage.render.fonts import FontBook
from signage.render.stage import Stage
from signage.player.emergency import notice_playlist
from signage.player.snapshot import encode_png
from signage.store.assets import asset_file

# One preview renders at a time per process: a frame at 1920x1080 plus its pictures is
# tens of MB, and the API shares a small box with the player.
_rendering = threading.BoundedSemaphore(1)
# Finding the faces takes a while and fonts are large: one FontBook per font
# configuration for the process, used only under _rendering (FontBook is not thread-safe).
_fonts_lock = threading.Lock()
_font_books: dict[tuple[tuple[str, str], ...], FontBook] = {}


def frame_at(compositor: Compositor, playlist: Playlist, elapsed: float,
             now: dt.datetime) -> pygame.Surface:
    """The frame the player shows `elapsed` seconds after the playlist starts (at wall time
    `now`, for clocks), drawn from scratch."""
    stage = Stage(compositor, playlist)
    stage.start(0.0)
    stage.render(elapsed, now)
    return compositor.frame


def render_preview_file(source: Path, at: float, size: tuple[int, int], out: Path,
                        fonts: FontBook | None = None, now: dt.datetime | None = None) -> Path:
    """Validate `source`, render its frame at offset `at` and write it to `out` as PNG."""
    document, playlist = read_playlist(source)
    files = check_asset_files(source, document, playlist)

    def asset_path(ref: str) -> Path:
        return files[ref]

    compositor = Compositor(size, fonts or FontBook(), asset_path)
    frame = frame_at(compositor, playlist, at, now or SystemClock().now())
    out.write_bytes(encode_png(frame))
    return out


def preview_fonts(overrides: Mapping[str, str]) -> FontBook:
    """The process's FontBook for these overrides (Settings.fonts), loaded on first use."""
    key = tuple(sorted(overrides.items()))
    with _fonts_lock:
        if key not in _font_books:
            _font_books[key] = FontBook(dict(overrides))
        return _font_books[key]


def revision_frame_png(playlist: Playlist, at: float, now: dt.datetime, *,
                       size: tuple[int, int], fonts: Mapping[str, str],
                       assets_dir: Path) -> bytes:
    """The PNG of the frame `playlist` shows `at` seconds in on a panel of `size`, with
    assets from the store's `assets_dir`; one render at a time (callers wait their turn)."""
    def asset_path(ref: str) -> Path:
        return asset_file(assets_dir, ref)

    with _rendering:
        compositor = Compositor(size, preview_fonts(fonts), asset_path)
        return encode_png(frame_at(compositor, playlist, at, now))


def emergency_frame_png(message: Message, now: dt.datetime, *, size: tuple[int, int],
                        fonts: Mapping[str, str]) -> bytes:
    """The PNG of an emergency notice with `message` as the player would show it on a panel
    of `size` (the emergency card has no pictures); one render at a time."""
    def no_assets(ref: str) -> Path:
        raise FileNotFoundError(ref)

    with _rendering:
        compositor = Compositor(size, preview_fonts(fonts), no_assets)
        return encode_png(frame_at(compositor, notice_playlist(message), 0.0, now))


def item_frames_png(playlist: Playlist, now: dt.datetime, *, size: tuple[int, int],
                    fonts: Mapping[str, str], assets_dir: Path, width: int) -> list[bytes]:
    """A filmstrip: one PNG per item in document order (zone by zone), the frame halfway
    through the item, drawn at the panel's `size` (so text wraps as on the wall) and
    scaled to `width` pixels wide; one render at a time."""
    def asset_path(ref: str) -> Path:
        return asset_file(assets_dir, ref)

    with _rendering:
        compositor = Compositor(size, preview_fonts(fonts), asset_path)
        return [_small_png(frame_at(compositor, playlist, at, now), width)
                for at in item_midpoints(playlist, compositor.film_length)]


def item_midpoints(playlist: Playlist, film_length) -> list[float]:
    """Seconds into the timeline at which each item is halfway through (document order):
    past its transition in, before the next one comes."""
    midpoints = []
    for zone in playlist.zones():
        start = 0.0
        for item in zone.items:
            seconds = item.duration
            if isinstance(item, VideoItem) and seconds is None:
                seconds = item.playing_time(film_length(item) or MIN_DURATION_S)
            midpoints.append(start + seconds / 2)
            start += seconds
    return midpoints


def _small_png(frame: pygame.Surface, width: int) -> bytes:
    data = pygame.image.tobytes(frame, "RGBX")
    image = Image.frombytes("RGB", frame.get_size(), data, "raw", "RGBX")
    height = max(1, round(image.height * width / image.width))
    out = io.BytesIO()
    image.resize((width, height), Image.Resampling.BOX).save(out, "PNG", optimize=True)
    return out.getvalue()
