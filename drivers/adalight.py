"""Adalight over serial: whole RGB frames to LED strips and matrices (Hyperion, Prismatik).

A frame is `Ada` hi lo (hi^lo^0x55) then N x RGB, where hi/lo encode N-1; there is no end
byte and no data checksum. Receivers announce `Ada\\n` at start and while idle (the driver
drains it) and blank after about 15 s without data (the driver's keepalive resends).
URL: `adalight:///dev/ttyUSB1?size=32x16` (default 115200 baud; options in
serialframes.OPTIONS).
"""

from __future__ import annotations

from drivers.serialframes import SerialFrameDriver, parse_options
from drivers.urls import DriverURL

MAGIC = b"Ada"
HELLO = b"Ada\n"
OVERHEAD = 6  # magic, two count bytes, header checksum
MAX_LEDS = 65536
DEFAULT_BAUD = 115200


def encode_header(leds: int) -> bytes:
    """The six header bytes for `leds` LEDs.

    >>> encode_header(300).hex(" ").upper()
    '41 64 61 01 2B 7F'
    """
    if not 1 <= leds <= MAX_LEDS:
        raise ValueError(f"Adalight frame has {leds} LEDs; it must be 1..{MAX_LEDS}")
    hi, lo = divmod(leds - 1, 256)
    return MAGIC + bytes((hi, lo, hi ^ lo ^ 0x55))


def encode_frame(rgb: bytes) -> bytes:
    """A whole frame from RGB bytes already in LED order."""
    return encode_header(len(rgb) // 3) + rgb


class AdalightDriver(SerialFrameDriver):
    kind = "adalight"
    overhead = OVERHEAD
    max_pixels = MAX_LEDS

    def __init__(self, port: str, size: tuple[int, int], **options):
        options.setdefault("baud", DEFAULT_BAUD)
        super().__init__(port, size, **options)
        self.hellos = 0
        self._tail = b""

    def encode(self, rgb: bytes) -> bytes:
        return encode_frame(rgb)

    def received(self, data: bytes) -> None:
        # Keep the last few bytes so an announcement split across reads still counts.
        seen = self._tail + data
        self.hellos += seen.count(HELLO)
        self._tail = seen[-(len(HELLO) - 1):] if not seen.endswith(HELLO) else b""

    def extra_telemetry(self) -> dict:
        return {"hellos": self.hellos}


def from_url(url: DriverURL) -> AdalightDriver:
    return AdalightDriver(**parse_options(url, DEFAULT_BAUD))
