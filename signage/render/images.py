"""Decoding and fitting images to a box. Pillow decodes (with a pixel cap), pygame shows."""

from __future__ import annotations

import warnings
from pathlib import Path

import pygame
from PIL import Image, ImageOps

from signage.errors import SignageError

MAX_DECODE_PIXELS = 40_000_000


class ImageLoadError(SignageError):
    """An image that cannot be shown (missing, unreadable, too large)."""


def load_fitted(path: Path, size: tuple[int, int], fit: str) -> pygame.Surface:
    """The image at `path` fitted to `size`: cover (crop), contain (letterbox) or stretch."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as source:
                if source.width * source.height > MAX_DECODE_PIXELS:
                    raise ImageLoadError(f"{path.name}: {source.width}x{source.height} is too large")
                image = ImageOps.exif_transpose(source).convert("RGB")
    except ImageLoadError:
        raise
    except FileNotFoundError:
        raise ImageLoadError(f"image file {path} is missing") from None
    except Exception as exc:
        raise ImageLoadError(f"cannot decode {path.name}: {exc}") from None
    if fit == "cover":
        image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    elif fit == "stretch":
        image = image.resize(size, Image.Resampling.LANCZOS)
    else:
        contained = ImageOps.contain(image, size, Image.Resampling.LANCZOS)
        image = Image.new("RGB", size)
        image.paste(contained, ((size[0] - contained.width) // 2, (size[1] - contained.height) // 2))
    return pygame.image.frombytes(image.tobytes(), size, "RGB")
