"""Test films made here with PyAV: each frame shows its number as a row of 8 blocks
(white for a 1 bit, blue for a 0 bit), large enough to survive H.264."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pygame

BITS = 8
ONE, ZERO = (250, 250, 250), (0, 0, 200)


def frame_bytes(number: int, size: tuple[int, int]) -> bytes:
    width, height = size
    row = bytearray()
    for x in range(width):
        bit = (number >> (BITS - 1 - x * BITS // width)) & 1
        row += bytes(ONE if bit else ZERO)
    return bytes(row) * height


def make_film(path: Path, *, fps: int = 30, seconds: float = 2.0, size=(256, 64),
              codec: str = "libx264", times: list[float] | None = None,
              metadata: dict[str, str] | None = None) -> Path:
    """A film of numbered frames at `fps`, or at the given frame `times` (variable rate),
    with `metadata` (title, location ...) in its container."""
    times = times if times is not None else [n / fps for n in range(round(seconds * fps))]
    with av.open(str(path), "w") as container:
        container.metadata.update(metadata or {})
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)
        for number, at in enumerate(times):
            frame = av.VideoFrame(*size, "rgb24")
            frame.planes[0].update(frame_bytes(number, size))
            frame.pts = round(at * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def frame_number(surface: pygame.Surface, box: pygame.Rect | None = None) -> int | None:
    """The number a frame shows in `box` (the whole surface by default); None if the
    blocks are not there (another picture, or black)."""
    box = box or surface.get_rect()
    number = 0
    y = box.top + box.height // 2
    for bit in range(BITS):
        x = box.left + (2 * bit + 1) * box.width // (2 * BITS)
        r, g, b, *_ = surface.get_at((x, y))
        if r > 180 and g > 180 and b > 180:
            number = number * 2 + 1
        elif r < 80 and g < 80 and b > 120:
            number = number * 2
        else:
            return None
    return number
