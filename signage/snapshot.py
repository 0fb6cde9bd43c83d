"""Writing the last presented frame as a PNG, off the frame loop.

The loop hands over a copy of the frame (a fraction of a millisecond); a background
thread encodes and renames it into place. Only the newest frame waits: an older one
that was not yet written is simply replaced.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pygame
from PIL import Image

from signage.runtime import write_atomically

log = logging.getLogger(__name__)


def encode_png(frame: pygame.Surface) -> bytes:
    image = Image.frombytes("RGB", frame.get_size(), pygame.image.tobytes(frame, "RGB"))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)  # speed over size: it is rewritten often
    return buffer.getvalue()


class SnapshotWriter:
    def __init__(self, path: Path, background: bool = True):
        self.path = path
        self._pending: pygame.Surface | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._work, name="snapshot", daemon=True)
            self._thread.start()

    def submit(self, frame: pygame.Surface) -> None:
        if self._thread is None:  # synchronous mode, for tests driven by a fake clock
            self._write(frame)
            return
        copy = frame.copy()
        with self._wake:
            self._pending = copy
            self._wake.notify()

    def _work(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                frame, self._pending = self._pending, None
                if frame is None:
                    return
            self._write(frame)

    def _write(self, frame: pygame.Surface) -> None:
        try:
            write_atomically(self.path, encode_png(frame))
        except OSError as exc:  # keep going; the next frame may succeed (disk freed)
            log.warning("cannot write the frame snapshot %s: %s", self.path, exc)

    def close(self) -> None:
        """Write what is pending, then stop."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)
