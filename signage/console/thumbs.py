"""Small pictures of library files for the console: a PNG thumbnail of an image, or of a
film's first frame, made with Pillow (PyAV for films) once and kept on disk.

Assets are named by their sha256, so a thumbnail never goes stale: the cache file is named
by the digest and the size, and is only ever written whole (a temporary name, then
os.replace). On a disk that cannot take it (full, read-only) the thumbnail is still
answered, only not kept. Another helper may add a thumbnail for the playlist editor: the
lead folds the two here.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
from pathlib import Path

from PIL import Image

from signage.store.assets import asset_file

log = logging.getLogger(__name__)

THUMB_PX = 160  # the longest side: a row of the library on a phone, sharp on 2x screens
CACHE_DIR = "cache/thumbs"  # under the data dir, beside the assets it is made from


def thumbnail_png(data_dir: Path, assets_dir: Path, ref: str, media_type: str,
                  size: int = THUMB_PX) -> bytes | None:
    """The thumbnail of the stored asset `ref` (at most `size` px a side), from the cache
    or made now; None when no picture can be made of it (a damaged film)."""
    digest = ref.removeprefix("sha256:")
    cached = data_dir / CACHE_DIR / f"{digest}-{size}.png"
    if cached.is_file():
        return cached.read_bytes()
    source = asset_file(assets_dir, ref)
    picture = _film_frame(source) if media_type.startswith("video/") else _image(source)
    if picture is None:
        return None
    png = _as_png(picture, size)
    _keep(cached, png)
    return png


def _image(source: Path) -> Image.Image | None:
    try:
        with Image.open(source) as image:
            image.draft("RGB", (THUMB_PX * 2, THUMB_PX * 2))  # JPEG: decode at a smaller scale
            return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    except (OSError, ValueError) as exc:
        log.warning("no thumbnail for %s: %s", source.name, exc)
        return None


def _film_frame(source: Path) -> Image.Image | None:
    import av  # here: only films need FFmpeg

    try:
        with av.open(str(source)) as container:
            for frame in container.decode(video=0):
                return frame.to_image()
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.warning("no thumbnail for film %s: %s", source.name, exc)
    return None


def _as_png(picture: Image.Image, size: int) -> bytes:
    picture.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def _keep(path: Path, png: bytes) -> None:
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(png)
        os.replace(partial, path)
    except OSError as exc:  # a full or read-only disk: answer it, keep nothing
        partial.unlink(missing_ok=True)
        log.info("thumbnail %s not cached: %s", path.name, exc)


def forget(data_dir: Path, ref: str) -> None:
    """Remove the cached thumbnails of a deleted asset."""
    digest = ref.removeprefix("sha256:")
    for cached in (data_dir / CACHE_DIR).glob(f"{digest}-*.png"):
        cached.unlink(missing_ok=True)


def thumb_url(ref: str) -> str:
    """Where a page finds the thumbnail of the stored file `ref` (routes/media.py)."""
    return f"/media/{ref.removeprefix('sha256:')}/thumb"
