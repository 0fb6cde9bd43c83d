"""Writing the last presented frame as a PNG, and the status document, off the frame loop.

The frame loop never touches the disk (an SD card or a busy disk can stall a write for
many milliseconds): a background thread writes both files, each by write-temp + rename.
For the snapshot, the loop copies the frame into a buffer kept for the purpose (a new 8 MB surface each
time would cost page faults too); a background thread encodes and renames it into
place. Only the newest frame waits: an older one that was not yet written is simply
replaced. A picture that has not changed since is not encoded again: `refresh` writes the
same PNG anew, so its age still tells a live player from a stopped one. A panel wider than MAX_WIDTH is written scaled down to that width (SIMD
smoothscale, without the GIL): technicians need to see it, and encoding a 1920x1080 PNG
costs 3.5x the CPU and holds the GIL longer.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pygame
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from signage.player.screen import Screen
from signage.render.priority import BACKGROUND_NICENESS, lower_thread
from signage.store.runtime import SCREEN_KEY, write_atomically, write_json

log = logging.getLogger(__name__)

# When the frame loop hands a frame over (player/loop.py's _after_present):
SNAPSHOT_MIN_GAP_S = 0.1  # after a change, at most this long until the snapshot shows it
SNAPSHOT_MAX_AGE_S = 1.0  # a still picture is written again this often (cheap: not re-encoded)
# A picture where only something small moves (a ticker) is encoded again this often: a
# PNG of 1024x576 costs ~40 ms of CPU, a fifth of the HDMI player's budget at 1 s.
SNAPSHOT_MOVING_S = 2.0
SNAPSHOT_FILM_S = 5.0  # a film's frame (a noisy PNG, ~60 ms of CPU at 1024x576): this often
SNAPSHOT_SETTLE_S = 0.05  # how long a picture has been still before it is snapshotted

MAX_WIDTH = 1024


def snapshot_size(size: tuple[int, int], max_width: int = MAX_WIDTH) -> tuple[int, int]:
    """The snapshot's size for a panel of `size`: as is, or scaled down to `max_width`.

    >>> snapshot_size((768, 384)), snapshot_size((1920, 1080))
    ((768, 384), (1024, 576))
    """
    width, height = size
    if width <= max_width:
        return width, height
    return max_width, max(1, round(height * max_width / width))


def encode_png(frame: pygame.Surface, screen: str = "content") -> bytes:
    """The frame as PNG, with what the panel shows (`screen`) in a tEXt chunk named
    SCREEN_KEY ahead of the pixels, so the picture and its state travel as one file."""
    # "RGBX" is a plain copy out of the frame; pygame's "RGB" is a scalar loop 6x slower.
    data = pygame.image.tobytes(frame, "RGBX")
    image = Image.frombytes("RGB", frame.get_size(), data, "raw", "RGBX")
    info = PngInfo()
    info.add_text(SCREEN_KEY, screen)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1, pnginfo=info)  # speed: rewritten often
    return buffer.getvalue()


class SnapshotWriter:
    def __init__(self, path: Path, background: bool = True, max_width: int = MAX_WIDTH):
        self.path = path
        self.max_width = max_width
        self._pending: pygame.Surface | None = None
        self._pending_screen = Screen()
        self._spare: pygame.Surface | None = None  # a copy buffer not in use, for reuse
        self._small: pygame.Surface | None = None  # the scaled-down picture (worker only)
        self._status: tuple[Path, dict] | None = None  # the newest status document to write
        self._last_png: bytes | None = None  # what the last write wrote (worker only)
        self._rewrite = False  # write _last_png again
        self.status_error: str | None = None  # why the last status write failed, if it did
        self._writing = False
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._work, name="snapshot", daemon=True)
            self._thread.start()
            lower_thread(self._thread.native_id, BACKGROUND_NICENESS)  # frames never wait for a PNG

    def submit(self, frame: pygame.Surface, screen: Screen = Screen()) -> None:
        """Write `frame` as the panel shows it under `screen` (black, a pattern or as is)."""
        if self._thread is None:  # synchronous mode, for tests driven by a fake clock
            self._write(screen.apply(frame.copy()), screen)
            return
        with self._wake:
            copy = self._pending or self._buffer_for(frame)
            copy.blit(frame, (0, 0))
            self._pending, self._pending_screen = copy, screen
            self._wake.notify()

    def refresh(self, frame: pygame.Surface, screen: Screen = Screen()) -> None:
        """Nothing changed since the last submit (`frame` under `screen`): write that PNG
        again without encoding it; its new age tells a live player from a stopped one."""
        if self._thread is None or self._last_png is None:
            if self._last_png is None:
                self.submit(frame, screen)
            else:
                self._rewrite_last()
            return
        with self._wake:
            self._rewrite = True
            self._wake.notify()

    def _rewrite_last(self) -> None:
        try:
            write_atomically(self.path, self._last_png)
        except OSError as exc:
            log.warning("cannot write the frame snapshot %s: %s", self.path, exc)

    def _buffer_for(self, frame: pygame.Surface) -> pygame.Surface:
        spare, self._spare = self._spare, None
        if spare is not None and spare.get_size() == frame.get_size():
            return spare
        return pygame.Surface(frame.get_size(), 0, frame)  # the frame's pixel format

    def submit_status(self, path: Path, document: dict) -> None:
        """Write `document` to `path` as JSON. Synchronous mode raises OSError; in the
        background the newest document waits and `status_error` tells of a failure."""
        if self._thread is None:
            write_json(path, document)
            return
        with self._wake:
            self._status = (path, document)
            self._wake.notify()

    def _work(self) -> None:
        while True:
            with self._wake:
                while (self._pending is None and self._status is None and not self._rewrite
                       and not self._closed):
                    self._wake.wait()
                frame, self._pending = self._pending, None
                screen = self._pending_screen
                status, self._status = self._status, None
                rewrite, self._rewrite = self._rewrite and frame is None, False
                if frame is None and status is None and not rewrite:
                    return
                self._writing = True
            if status is not None:
                self._write_status(*status)
            if frame is not None:
                self._write(screen.apply(frame), screen)
            elif rewrite and self._last_png is not None:
                self._rewrite_last()
            with self._wake:
                self._spare = frame or self._spare
                self._writing = False

    def _write_status(self, path: Path, document: dict) -> None:
        try:
            write_json(path, document)
        except OSError as exc:  # the player reports it; the next write may succeed
            self.status_error = f"cannot write {path}: {exc}"
            return
        self.status_error = None

    def _write(self, frame: pygame.Surface, screen: Screen) -> None:
        size = snapshot_size(frame.get_size(), self.max_width)
        if size != frame.get_size():
            if self._small is None or self._small.get_size() != size:
                self._small = pygame.Surface(size, 0, frame)
            frame = pygame.transform.smoothscale(frame, size, self._small)
        self._last_png = encode_png(frame, screen.label)
        try:
            write_atomically(self.path, self._last_png)
        except OSError as exc:  # keep going; the next frame may succeed (disk freed)
            log.warning("cannot write the frame snapshot %s: %s", self.path, exc)

    def busy(self) -> bool:
        """Whether anything waits or is being written (the bench gives it idle time)."""
        return (self._pending is not None or self._status is not None or self._rewrite
                or self._writing)

    def close(self) -> None:
        """Write what is pending, then stop."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)
