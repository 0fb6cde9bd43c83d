"""Pictures in the frame's pixel format: decoded images fitted to a box, and the backdrop.

Every picture is a 32-bit surface in the same format as the frame buffers (XRGB8888, what
`pygame.Surface(size)` makes), so a blit is a plain copy and drivers get 4-byte pixels:
converting 24-bit RGB costs about 13x more per frame than a 4-byte format.
"""

from __future__ import annotations

import threading
import warnings
import weakref
from functools import lru_cache
from pathlib import Path

import pygame
from PIL import Image, ImageOps

from signage.render.images import MAX_DECODE_PIXELS, ImageLoadError

BACKGROUND_TOP = (8, 32, 72)
BACKGROUND_BOTTOM = (2, 10, 28)
# Rows converted at a time. Each band's calls hold the GIL for well under a millisecond,
# so a frame on the other thread never waits long for it (a whole 1920x1080 picture in
# one call held it for about 10 ms), and no full-size temporary copy is made.
BAND_ROWS = 64


def new_frame(size: tuple[int, int]) -> pygame.Surface:
    """A blank surface in the frame format (32-bit, no per-pixel alpha)."""
    return pygame.Surface(size, 0, 32)


def surface_bytes(surface: pygame.Surface) -> int:
    """The memory `surface`'s pixels take (what a picture cache counts against its bound)."""
    return surface.get_bytesize() * surface.get_width() * surface.get_height()


class SurfacePool:
    """Frame-format surfaces of pictures no longer shown, kept to draw the next ones in.

    Making a 1920x1080 surface costs about 3 ms, all of it holding the GIL (SDL zeroes
    8 MB of fresh pages), so a picture prepared on the worker thread stalled the frame
    loop by that much at every item change. A picture given back here is drawn over
    whole by the next one of its size instead. At most `keep` are held (the oldest go).
    """

    def __init__(self, keep: int = 2):
        self.keep = keep
        self._spare: list[pygame.Surface] = []
        self._lock = threading.Lock()

    def take(self, size: tuple[int, int]) -> pygame.Surface:
        """A frame-format surface of `size`, with old pixels: the caller covers all of it."""
        size = tuple(size)
        with self._lock:
            for i in reversed(range(len(self._spare))):  # the newest: its pages are warmest
                if self._spare[i].get_size() == size:
                    return self._spare.pop(i)
        return new_frame(size)

    def clear(self) -> None:
        with self._lock:
            self._spare = []

    def give(self, surface: pygame.Surface) -> None:
        """Keep `surface` for reuse; whoever gives it must hold no other reference."""
        if surface.get_bytesize() != 4 or surface.get_flags() & pygame.SRCALPHA:
            return
        with self._lock:
            self._spare = self._spare[-(self.keep - 1):] + [surface] if self.keep > 0 else []


# Shared by every compositor in the process: a player has one, tests have many, and the
# bound is a count, so at most `keep` pictures' memory sits here.
SPARE_SURFACES = SurfacePool()


class LentBuffers:
    """Where a film that fills the panel gets its frames' surfaces: buffers the driver lends
    (drivers.base.LendsBuffers), which it shows without copying them, so the frame loop
    never copies a film frame. Other sizes, and any once the driver has none to spare, are
    the spares'. Holds no strong reference to what it lent (rings reuse a surface only
    when nobody else holds it)."""

    def __init__(self, driver, size: tuple[int, int], spares: SurfacePool = SPARE_SURFACES):
        self.driver, self.size, self.spares = driver, tuple(size), spares
        self._lent: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()  # decoder threads take and give

    def take(self, size: tuple[int, int]) -> pygame.Surface:
        if tuple(size) == self.size:
            buffer = self.driver.lend_buffer()
            if buffer is not None:
                with self._lock:
                    self._lent.add(buffer)
                return buffer
        return self.spares.take(size)

    def give(self, surface: pygame.Surface) -> None:
        with self._lock:
            lent = surface in self._lent
            self._lent.discard(surface)
        if lent:
            self.driver.return_buffer(surface)
        else:
            self.spares.give(surface)


def frame_surfaces(driver, size: tuple[int, int]) -> SurfacePool | LentBuffers:
    """The surfaces films draw their frames in: lent by `driver` where it lends them."""
    if driver is not None and callable(getattr(driver, "lend_buffer", None)):
        return LentBuffers(driver, size)
    return SPARE_SURFACES



def to_surface(image: Image.Image) -> pygame.Surface:
    """An RGB Pillow image as a frame-format surface, converted a band of rows at a time.

    Pillow keeps RGB as R, G, B, X, so "RGBX" bytes are a plain copy of its memory, and
    SDL's blit swaps the channels into the frame format with SIMD: about 4x faster than
    Pillow packing "BGRX" itself.
    """
    surface = SPARE_SURFACES.take(image.size)  # every row is written below
    width, height = image.size
    for top in range(0, height, BAND_ROWS):
        band = image.crop((0, top, width, min(top + BAND_ROWS, height)))
        rows = pygame.image.frombuffer(band.tobytes("raw", "RGBX"), band.size, "RGBX")
        surface.blit(rows, (0, top))
    return surface


def load_picture(path: Path, size: tuple[int, int], fit: str) -> pygame.Surface:
    """The image at `path` fitted to `size`: cover (crop), contain (letterbox) or stretch."""
    image = _decode(path, size)
    if image.size == tuple(size):  # every fit leaves it as it is: skip an 8 MB copy
        return to_surface(image)
    if fit == "cover":
        image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    elif fit == "stretch":
        image = image.resize(size, Image.Resampling.LANCZOS)
    else:
        contained = ImageOps.contain(image, size, Image.Resampling.LANCZOS)
        image = Image.new("RGB", size)
        image.paste(contained, ((size[0] - contained.width) // 2, (size[1] - contained.height) // 2))
    return to_surface(image)


def _decode(path: Path, size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """The image at `path` in `mode` (RGB, or RGBA to keep a logo's transparency)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as source:
                if source.width * source.height > MAX_DECODE_PIXELS:
                    raise ImageLoadError(f"{path.name}: {source.width}x{source.height} is too large")
                # A JPEG much larger than the box decodes at 1/2, 1/4 or 1/8 scale: far
                # less work, and the result is still at least the box size.
                source.draft("RGB", size)
                source.load()  # the pixels stay once the file is closed
                # In place: a copy would double the memory a full-panel picture needs.
                ImageOps.exif_transpose(source, in_place=True)
                return source if source.mode == mode else source.convert(mode)
    except ImageLoadError:
        raise
    except FileNotFoundError:
        raise ImageLoadError(f"image file {path} is missing") from None
    except Exception as exc:
        raise ImageLoadError(f"cannot decode {path.name}: {exc}") from None


def load_logo(path: Path, box: tuple[int, int]) -> pygame.Surface:
    """The image at `path` fitted inside `box`, keeping its transparency."""
    image = ImageOps.contain(_decode(path, box, "RGBA"), box, Image.Resampling.LANCZOS)
    return pygame.image.frombytes(image.tobytes(), image.size, "RGBA")


def background(size: tuple[int, int]) -> pygame.Surface:
    """A quiet vertical gradient: reads as 'on' even when the text is short. A new surface."""
    width, height = max(size[0], 1), max(size[1], 1)
    return pygame.transform.scale(_gradient_column(height), (width, height))


@lru_cache(maxsize=32)
def _gradient_column(height: int) -> pygame.Surface:
    column = new_frame((1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.set_at((0, y), [round(a + (b - a) * t) for a, b in zip(BACKGROUND_TOP, BACKGROUND_BOTTOM)])
    return column
