"""Keep the frame loop running while a device is missing, and put it back when it returns.

Drivers reconnect a device that vanishes while open; this wrapper covers the other case,
a device that is not there when the player starts (a USB adapter not yet enumerated, an
X server still starting). Until the device opens, frames are dropped (the player's snapshot
still shows what would be on screen) and the open is retried with backoff. The brightness,
power and test pattern asked for meanwhile are applied as soon as it opens.
"""

from __future__ import annotations

import logging
import time

from drivers.base import Driver, DriverError, PanelTelemetry, lend_through, return_through

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0


class KeepTrying:
    def __init__(self, driver: Driver, clock=time, name: str = "driver"):
        self.driver = driver
        self.clock = clock
        self.name = name
        self.size = driver.size
        self.opened = False
        self.attempts = 0
        self.last_error: str | None = None
        self._retry_in = FIRST_RETRY_S
        self._next_try = 0.0
        self._wanted: dict[str, object] = {}

    def open(self) -> None:
        """Open now if possible; a retryable failure is reported and retried later."""
        self._try_open(self.clock.monotonic())

    def _try_open(self, now: float) -> None:
        self.attempts += 1
        try:
            self.driver.open()
        except DriverError as exc:
            if not exc.retryable:
                raise
            if self.last_error is None:
                log.warning("%s not available (%s); retrying with backoff", self.name, exc)
            self.last_error = str(exc)
            self._next_try = now + self._retry_in
            self._retry_in = min(MAX_RETRY_S, self._retry_in * 2)
            return
        if self.last_error is not None:
            log.info("%s opened after %d attempts", self.name, self.attempts)
        self.opened, self.last_error, self._retry_in = True, None, FIRST_RETRY_S
        for method, value in self._wanted.items():
            self._call(method, value)

    def present(self, frame, dirty=None) -> None:
        if not self.opened:
            now = self.clock.monotonic()
            if now < self._next_try:
                return
            self._try_open(now)
            if not self.opened:
                return
            dirty = None  # the frames dropped meanwhile changed more than this hint says
        self.driver.present(frame, dirty=dirty)

    def _call(self, method: str, value) -> None:
        self._wanted[method] = value
        if self.opened:
            getattr(self.driver, method)(value)

    def lend_buffer(self):
        """Frame buffers the driver driver lends, shown without a copy (drivers.base)."""
        return lend_through(self.driver)

    def return_buffer(self, buffer) -> None:
        return_through(self.driver, buffer)

    def set_brightness(self, percent: float) -> None:
        self._call("set_brightness", percent)

    def set_power(self, on: bool) -> None:
        self._call("set_power", on)

    def show_test_pattern(self, pattern: str | None) -> None:
        self._call("show_test_pattern", pattern)

    def telemetry(self) -> PanelTelemetry:
        if self.opened:
            return self.driver.telemetry()
        return PanelTelemetry(
            link="down", read_at=None,
            extra={"error": self.last_error, "open_attempts": self.attempts,
                   "retry_in_s": round(max(0.0, self._next_try - self.clock.monotonic()), 1)},
        )

    def close(self) -> None:
        if self.opened:
            self.driver.close()
        self.opened = False
