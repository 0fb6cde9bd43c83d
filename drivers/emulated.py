"""An in-memory panel: the do-nothing driver for tests and demos, and a faithful one.

It keeps a copy of the last presented frame (as the panel would show it: black when the
power is off, dimmed by brightness is left to the viewer), a frame counter, and the
brightness, power and test-pattern state a real sending card would hold.
"""

from __future__ import annotations

import threading
import time

import pygame

from drivers.base import DriverConfigError, PanelTelemetry
from drivers.registry import SOFTWARE_PATTERNS


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
            shown = self._frame.copy() if self._frame else pygame.Surface(self.size)
        if self.test_pattern:
            shown.fill(pygame.Color(self.test_pattern))
        if not self.power:
            shown.fill((0, 0, 0))
        return shown

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
            extra={"kind": "emulated", "size": list(self.size)},
        )

    def close(self) -> None:
        self._opened = False
