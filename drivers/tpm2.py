"""TPM2 over serial: whole RGB frames to small LED matrices (Glediator, Jinx!, WLED).

A frame is `C9 DA size-hi size-lo payload 36`; a receiver may answer `AC` after each good
frame. The encoder is pure; `Tpm2Driver` is the serial shell from `drivers.serialframes`.
URL: `tpm2:///dev/ttyACM0?baud=1000000&size=64x32` (options in serialframes.OPTIONS).
"""

from __future__ import annotations

from drivers.serialframes import SerialFrameDriver, parse_options
from drivers.urls import DriverURL

START, END = 0xC9, 0x36
DATA, COMMAND, RESPONSE = 0xDA, 0xC0, 0xAA
ACK = 0xAC
OVERHEAD = 5  # start, type, two size bytes, end
MAX_PAYLOAD = 65535
DEFAULT_BAUD = 115200  # WLED's default; Hyperion and most matrices use 1000000


def encode_packet(kind: int, payload: bytes) -> bytes:
    """One TPM2 packet of the given type.

    >>> encode_packet(DATA, bytes([255, 0, 0, 0, 255, 0, 0, 0, 255])).hex(" ").upper()
    'C9 DA 00 09 FF 00 00 00 FF 00 00 00 FF 36'
    """
    if not 1 <= len(payload) <= MAX_PAYLOAD:
        raise ValueError(f"TPM2 payload is {len(payload)} bytes; it must be 1..{MAX_PAYLOAD}")
    return bytes((START, kind)) + len(payload).to_bytes(2, "big") + payload + bytes((END,))


def encode_frame(rgb: bytes) -> bytes:
    """A data frame from RGB bytes already in LED order."""
    return encode_packet(DATA, rgb)


class Tpm2Driver(SerialFrameDriver):
    kind = "tpm2"
    overhead = OVERHEAD
    max_pixels = MAX_PAYLOAD // 3

    def __init__(self, port: str, size: tuple[int, int], **options):
        options.setdefault("baud", DEFAULT_BAUD)
        super().__init__(port, size, **options)
        self.acks = 0

    def encode(self, rgb: bytes) -> bytes:
        return encode_frame(rgb)

    def received(self, data: bytes) -> None:
        self.acks += data.count(ACK)

    def extra_telemetry(self) -> dict:
        return {"acks": self.acks}


def from_url(url: DriverURL) -> Tpm2Driver:
    return Tpm2Driver(**parse_options(url, DEFAULT_BAUD))
