"""An in-memory panel: the do-nothing driver for tests and demos, and a faithful one.

It keeps a copy of the last presented frame (as the panel would show it: black when the
power is off, dimmed by brightness is left to the viewer), a frame counter, and the
brightness, power and test-pattern state a real sending card would hold.

It lends frame buffers (drivers.base.LendsBuffers) as a panel's own memory would: a lent
buffer presented is shown as it is, not copied, as the HDMI driver shows its shared slots.
"""

from __future__ import annotations

import threading
import time
import weakref

import pygame

from drivers.base import DriverConfigError, PanelTelemetry
from drivers.registry import SOFTWARE_PATTERNS

KEPT_BUFFERS = 8  # returned buffers kept for the next lender (a film's ring is about 6)


class EmulatedPanel:
    def __init__(self, size: tuple[int, int]):
        self.size = size
        self.frames = 0
        self.brightness = 100.0
        self.power = True
        self.test_pattern: str | None = None
        self._frame: pygame.Surface | None = None
        self._lock = threading.Lock()
        self._opened = False
        self._whole_next = True  # the next present copies the whole frame, hint or not
        self._lent: weakref.WeakSet = weakref.WeakSet()  # no strong references: see base
        self._returned: list[pygame.Surface] = []
        self._shown: pygame.Surface | None = None  # a lent buffer on show, instead of _frame
        self.lent_frames = 0  # frames shown from a lent buffer, with no copy

    def open(self) -> None:
        self._frame = pygame.Surface(self.size)
        self._opened = True
        self._whole_next = True

    def present(self, frame: pygame.Surface, dirty: list[pygame.Rect] | None = None) -> None:
        """Keep a copy of `frame`; with a `dirty` hint, copy only those rectangles."""
        if frame.get_size() != self.size:
            raise DriverConfigError(
                f"frame is {frame.get_width()}x{frame.get_height()}, panel is "
                f"{self.size[0]}x{self.size[1]}"
            )
        with self._lock:
            if frame in self._lent:  # the panel's own memory: shown as it is
                self._shown, self._whole_next = frame, True
                self.frames += 1
                self.lent_frames += 1
                return
            self._shown = None
            if self._frame is None:
                self._frame = pygame.Surface(self.size)
                self._whole_next = True
            if dirty is None or self._whole_next:
                self._frame.blit(frame, (0, 0))
            else:
                for rect in dirty:
                    self._frame.blit(frame, rect, rect)
            self._whole_next = False
            self.frames += 1

    def last_frame(self) -> pygame.Surface:
        """A copy of what the panel shows now (test pattern and blackout applied)."""
        with self._lock:
            picture = self._shown or self._frame
            shown = picture.copy() if picture else pygame.Surface(self.size)
        if self.test_pattern:
            shown.fill(pygame.Color(self.test_pattern))
        if not self.power:
            shown.fill((0, 0, 0))
        return shown

    def lend_buffer(self) -> pygame.Surface:
        """A panel-size buffer `present` shows without copying it (never runs out)."""
        with self._lock:
            buffer = self._returned.pop() if self._returned else pygame.Surface(self.size, 0, 32)
            self._lent.add(buffer)
        return buffer

    def return_buffer(self, buffer: pygame.Surface) -> None:
        with self._lock:
            if buffer in self._lent and buffer is not self._shown:
                self._lent.discard(buffer)
                self._returned = self._returned[-(KEPT_BUFFERS - 1):] + [buffer]

    def set_brightness(self, percent: float) -> None:
        if not 0 <= percent <= 100:
            raise DriverConfigError(f"brightness {percent} is outside 0..100 percent")
        self.brightness = float(percent)

    def set_power(self, on: bool) -> None:
        self.power = bool(on)

    def show_test_pattern(self, pattern: str | None) -> None:
        if pattern is not None and pattern not in SOFTWARE_PATTERNS:
            raise DriverConfigError(
                f"test pattern {pattern!r} unknown; choose one of {', '.join(SOFTWARE_PATTERNS)}"
            )
        self.test_pattern = pattern

    def telemetry(self) -> PanelTelemetry:
        return PanelTelemetry(
            link="up" if self._opened else "down",
            brightness=self.brightness,
            power=self.power,
            test_pattern=self.test_pattern,
            frames=self.frames,
            read_at=time.monotonic(),
            extra={"kind": "emulated", "size": list(self.size), "lent_frames": self.lent_frames},
        )

    def close(self) -> None:
        self._opened = False
