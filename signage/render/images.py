"""What every image decoder here shares: the pixel cap and the error for a bad image.

Decoding and fitting live in `pictures.py` (for the frame) and `signage/assets.py` (at
upload); both refuse images larger than MAX_DECODE_PIXELS before decoding them.
"""

from __future__ import annotations

from signage.errors import SignageError

MAX_DECODE_PIXELS = 40_000_000


class ImageLoadError(SignageError):
    """An image that cannot be shown (missing, unreadable, too large)."""
