"""Pure pixel mapping from the panel picture to LED wire order, and the brightness table.

The picture is row-major with its origin top left (what `pygame.image.tobytes(frame, "RGB")`
gives). A sign's LEDs are one chain: the mapping says where each LED sits. It is applied in
this order: rotate the picture clockwise onto the matrix, flip the matrix, then walk it from
the start corner row by row (serpentine: every other row runs back). The walk is computed
once into an index table, so mapping a frame is one `itemgetter` call.

>>> m = PixelMap((3, 2), wiring="serpentine")
>>> m.order  # picture pixel index of each LED, in wire order
(0, 1, 2, 5, 4, 3)
>>> PixelMap((3, 2), rotate=90).order  # the picture turned clockwise onto a 2x3 matrix
(3, 0, 4, 1, 5, 2)
>>> PixelMap((3, 2), start="bottom-right").order
(5, 4, 3, 2, 1, 0)
"""

from __future__ import annotations

import operator
from typing import Mapping

from drivers.base import DriverConfigError

WIRINGS = ("progressive", "serpentine")
START_CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
ROTATIONS = (0, 90, 180, 270)
FLIPS = ("", "x", "y", "xy")
# The URL options a PixelMap reads (e.g. `wiring=serpentine&rotate=90&flip=x`).
OPTIONS = ("wiring", "start", "rotate", "flip")


def _rotate(x: int, y: int, w: int, h: int, degrees: int) -> tuple[int, int]:
    """Where picture pixel (x, y) of a w x h picture lands after turning it clockwise."""
    if degrees == 90:
        return h - 1 - y, x
    if degrees == 180:
        return w - 1 - x, h - 1 - y
    if degrees == 270:
        return y, w - 1 - x
    return x, y


class PixelMap:
    """Picture (row-major RGB) <-> LED chain order for one sign's wiring."""

    def __init__(self, size: tuple[int, int], *, wiring: str = "progressive",
                 start: str = "top-left", rotate: int = 0, flip: str = ""):
        _check("wiring", wiring, WIRINGS)
        _check("start", start, START_CORNERS)
        _check("rotate", rotate, ROTATIONS)
        _check("flip", flip, FLIPS)
        self.size = size
        self.wiring, self.start, self.rotate, self.flip = wiring, start, rotate, flip
        self.order = self._walk()
        self.identity = self.order == tuple(range(len(self.order)))
        inverse = [0] * len(self.order)
        for led, pixel in enumerate(self.order):
            inverse[pixel] = led
        self._to_wire = _byte_getter(self.order)
        self._from_wire = _byte_getter(inverse)

    @classmethod
    def from_options(cls, size: tuple[int, int], options: Mapping[str, str]) -> "PixelMap":
        """Build from URL options (strings); keys other than OPTIONS are ignored."""
        rotate_text = options.get("rotate", "0")
        try:
            rotate = int(rotate_text)
        except ValueError:
            raise DriverConfigError(
                f"rotate={rotate_text!r} is not a number; use one of 0, 90, 180, 270"
            ) from None
        flip = "".join(sorted(options.get("flip", "").lower().replace(",", "")))
        return cls(size, wiring=options.get("wiring", "progressive").lower(),
                   start=options.get("start", "top-left").lower(), rotate=rotate, flip=flip)

    def _walk(self) -> tuple[int, ...]:
        w, h = self.size
        mw, mh = (h, w) if self.rotate in (90, 270) else (w, h)
        # A start corner other than top-left is the same walk on a mirrored matrix.
        flip_x = ("x" in self.flip) != self.start.endswith("right")
        flip_y = ("y" in self.flip) != self.start.startswith("bottom")
        order = [0] * (w * h)
        for y in range(h):
            for x in range(w):
                mx, my = _rotate(x, y, w, h, self.rotate)
                if flip_x:
                    mx = mw - 1 - mx
                if flip_y:
                    my = mh - 1 - my
                if self.wiring == "serpentine" and my % 2:
                    mx = mw - 1 - mx
                order[my * mw + mx] = y * w + x
        return tuple(order)

    def to_wire(self, rgb: bytes) -> bytes:
        """Picture RGB bytes -> LED chain RGB bytes."""
        return rgb if self.identity else bytes(self._to_wire(rgb))

    def from_wire(self, rgb: bytes) -> bytes:
        """LED chain RGB bytes -> picture RGB bytes (what a receiving device undoes)."""
        return rgb if self.identity else bytes(self._from_wire(rgb))

    def describe(self) -> dict:
        return {"wiring": self.wiring, "start": self.start, "rotate": self.rotate,
                "flip": self.flip}


def _byte_getter(pixels) -> operator.itemgetter:
    """One itemgetter over byte offsets: pixel p's R, G, B are bytes 3p, 3p+1, 3p+2."""
    return operator.itemgetter(*(3 * p + c for p in pixels for c in range(3)))


def _check(name: str, value, allowed) -> None:
    if value not in allowed:
        choices = ", ".join(repr(a) if a == "" else str(a) for a in allowed)
        raise DriverConfigError(f"{name}={value!r} is not valid; use one of {choices}")


def level_table(brightness: float = 100.0, gamma: float = 1.0) -> bytes:
    """A 256-byte table for `bytes.translate`: gamma correction, then brightness scaling.

    >>> level_table(50)[255], level_table(100, 2.0)[128], level_table(0)[255]
    (128, 64, 0)
    """
    if not 0 <= brightness <= 100:
        raise DriverConfigError(f"brightness {brightness} is outside 0..100 percent")
    if not 0.1 <= gamma <= 5:
        raise DriverConfigError(f"gamma {gamma} is outside 0.1..5; 1 means none, 2.2 is usual")
    scale = brightness / 100
    return bytes(round(255 * (v / 255) ** gamma * scale) for v in range(256))


IDENTITY_LEVELS = level_table()
