"""`signage preview`: the frame a playlist file shows at an offset, without the loop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pygame

from signage.clock import SystemClock
from signage.importer import check_asset_files, read_playlist
from signage.models import Playlist
from signage.render.compositor import Compositor
from signage.render.fonts import FontBook
from signage.render.stage import Stage
from signage.snapshot import encode_png


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
