"""Emulated TPM2 and Adalight signs: pure SerialPeers that decode frames into a picture.

Serve one on a real pty with `drivers.ptyport.PtyPort(Tpm2Device((64, 32)))`. The decoders
take the byte stream as it comes (frames split across reads, garbage between frames), undo
the sign's wiring with the same PixelMap the driver was given, and keep the last picture,
so `framebuffer()` is what a viewer of the sign would see, row-major from the top left.
"""

from __future__ import annotations

import threading
from typing import Mapping

import pygame

from drivers import adalight, tpm2
from drivers.pixelmap import PixelMap

PACKET_TYPES = (tpm2.DATA, tpm2.COMMAND, tpm2.RESPONSE)


class FrameDevice:
    """The framebuffer, frame counter and picture output both emulated signs share."""

    def __init__(self, size: tuple[int, int], pixelmap: PixelMap | None = None):
        self.size = size
        self.pixelmap = pixelmap or PixelMap(size)
        self.frames = 0
        self.garbage = 0  # bytes skipped while looking for a frame start
        self._buffer = bytearray()
        self._picture = bytes(size[0] * size[1] * 3)
        self._lock = threading.Lock()

    @classmethod
    def emulate(cls, size: tuple[int, int], options: Mapping[str, str]) -> "FrameDevice":
        """The sign `signage emulate-panel` serves: `size`, wired as the URL options say."""
        return cls(size, PixelMap.from_options(size, options))

    def state(self) -> dict:
        """What `signage emulate-panel` prints for `status`."""
        return {"frames": self.frames, "size": list(self.size), "garbage_bytes": self.garbage}

    def framebuffer(self) -> bytes:
        """The last decoded picture, RGB row-major from the top left."""
        return self._picture

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        offset = 3 * (y * self.size[0] + x)
        return tuple(self._picture[offset:offset + 3])

    def surface(self) -> pygame.Surface:
        return pygame.image.frombytes(self._picture, self.size, "RGB")

    def save_png(self, path) -> None:
        pygame.image.save(self.surface(), str(path))

    def feed(self, data: bytes) -> bytes:
        with self._lock:
            self._buffer += data
            return self._decode()

    def _decode(self) -> bytes:
        raise NotImplementedError

    def _skip_to(self, marker: bytes) -> bool:
        """Drop bytes before the next `marker`; False when there is none yet."""
        start = self._buffer.find(marker)
        if start < 0:
            # Keep a tail that may be the beginning of a marker split across reads.
            keep = len(marker) - 1
            dropped = max(0, len(self._buffer) - keep)
            self.garbage += dropped
            del self._buffer[:dropped]
            return False
        self.garbage += start
        del self._buffer[:start]
        return True

    def _show(self, wire_rgb: bytes) -> None:
        """Take one frame in LED order; a short frame leaves the rest black, extra is cut."""
        need = len(self._picture)
        wire_rgb = bytes(wire_rgb[:need]).ljust(need, b"\0")
        self._picture = self.pixelmap.from_wire(wire_rgb)
        self.frames += 1


class Tpm2Device(FrameDevice):
    """A TPM2 sign; answers `AC` after each good frame when `ack` is set."""

    def __init__(self, size: tuple[int, int], pixelmap: PixelMap | None = None,
                 ack: bool = True):
        super().__init__(size, pixelmap)
        self.ack = ack
        self.commands = 0

    def _decode(self) -> bytes:
        reply = bytearray()
        buf = self._buffer
        while self._skip_to(bytes((tpm2.START,))) and len(buf) >= 4:
            length = int.from_bytes(buf[2:4], "big")
            end = 4 + length
            plausible = buf[1] in PACKET_TYPES and length > 0
            if plausible and len(buf) <= end:
                break  # the rest of the packet has not arrived yet
            if not plausible or buf[end] != tpm2.END:
                self.garbage += 1  # a C9 that was not a packet start: look further on
                del buf[:1]
                continue
            kind, payload = buf[1], bytes(buf[4:end])
            del buf[:end + 1]
            if kind == tpm2.DATA:
                self._show(payload)
                if self.ack:
                    reply.append(tpm2.ACK)
            else:
                self.commands += 1
        return bytes(reply)


class AdalightDevice(FrameDevice):
    """An Adalight sign. It never answers frames; `hello()` is what it announces on its own."""

    def hello(self) -> bytes:
        return adalight.HELLO

    def _decode(self) -> bytes:
        buf = self._buffer
        while self._skip_to(adalight.MAGIC) and len(buf) >= 6:
            hi, lo, check = buf[3], buf[4], buf[5]
            if hi ^ lo ^ 0x55 != check:
                self.garbage += 1  # "Ada" by chance, not a header
                del buf[:1]
                continue
            end = 6 + 3 * ((hi << 8 | lo) + 1)
            if len(buf) < end:
                break
            frame = bytes(buf[6:end])
            del buf[:end]
            self._show(frame)
        return b""
