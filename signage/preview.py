"""`signage preview`: the frame a playlist file shows at an offset, without the loop."""

from __future__ import annotations

from pathlib import Path

import pygame

from signage.importer import check_asset_files, read_playlist
from signage.models import Playlist
from signage.render.compositor import CROSSFADE_S, Compositor
from signage.render.fonts import FontBook
from signage.sequence import position
from signage.snapshot import encode_png


def frame_at(compositor: Compositor, playlist: Playlist, elapsed: float) -> pygame.Surface:
    """The frame the player shows `elapsed` seconds after the playlist starts."""
    items = playlist.items
    pos = position([item.duration for item in items], elapsed)
    current = compositor.item_surface(items[pos.index])
    first_ever = pos.index == 0 and pos.loop == 0
    if pos.into >= CROSSFADE_S or first_ever or len(items) == 1:
        return current
    previous = compositor.item_surface(items[pos.index - 1])
    return compositor.crossfade(previous, current, pos.into / CROSSFADE_S)


def render_preview_file(source: Path, at: float, size: tuple[int, int], out: Path,
                        fonts: FontBook | None = None) -> Path:
    """Validate `source`, render its frame at offset `at` and write it to `out` as PNG."""
    document, playlist = read_playlist(source)
    files = check_asset_files(source, document, playlist)

    def asset_path(ref: str) -> Path:
        return files[ref]

    compositor = Compositor(size, fonts or FontBook(), asset_path)
    frame = frame_at(compositor, playlist, at)
    out.write_bytes(encode_png(frame))
    return out
