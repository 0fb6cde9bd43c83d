"""Brightness, power and test pattern applied to the driver off the frame loop.

Over RS-232 one command can take seconds when a card does not answer (timeout times
retries); the frame loop must not wait for that. The loop says what it wants; a worker
applies the newest wish per setting, and retries a failed one with backoff. In
synchronous mode (tests driven by a fake clock) the wish is applied at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from drivers.base import Driver, DriverError
from signage.content.controls import PanelSetting

log = logging.getLogger(__name__)

# The driver call that applies each setting.
DRIVER_CALLS = {PanelSetting.BRIGHTNESS: "set_brightness", PanelSetting.POWER: "set_power",
                PanelSetting.TEST_PATTERN: "show_test_pattern"}
RETRY_FIRST_S = 1.0
RETRY_MAX_S = 30.0


class PanelControl:
    def __init__(self, driver: Driver, report: Callable[[str], None], background: bool = True):
        self.driver = driver
        self.report = report
        self._wanted: dict[PanelSetting, object] = {}
        self._applied: dict[PanelSetting, object] = {}
        self._errors: dict[PanelSetting, str] = {}
        self._retry_in = RETRY_FIRST_S
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._work, name="panel-control", daemon=True)
            self._thread.start()

    def want(self, setting: PanelSetting, value: object) -> None:
        """Ask for a setting; returns at once. Asking again for the same value is free."""
        setting = PanelSetting(setting)
        with self._wake:
            if self._wanted.get(setting, object()) == value and setting in self._wanted:
                return
            self._wanted[setting] = value
            self._wake.notify()
        if self._thread is None:
            self._apply_pending()

    def state(self) -> dict:
        """For the status document: per setting, what is wanted, what the driver took, errors."""
        with self._wake:
            return {name: {"wanted": self._wanted.get(name), "applied": self._applied.get(name),
                           "error": self._errors.get(name)}
                    for name in PanelSetting if name in self._wanted}

    def applied(self, setting: PanelSetting) -> object:
        with self._wake:
            return self._applied.get(setting)

    def _pending(self) -> dict[PanelSetting, object]:
        return {k: v for k, v in self._wanted.items()
                if k not in self._applied or self._applied[k] != v}

    def _apply_pending(self) -> bool:
        """Apply every setting not yet applied; True if all went through."""
        with self._wake:
            pending = self._pending()
        ok = True
        for setting, value in pending.items():
            try:
                getattr(self.driver, DRIVER_CALLS[setting])(value)
            except DriverError as exc:
                ok = False
                with self._wake:
                    first = setting not in self._errors
                    self._errors[setting] = str(exc)
                if first:
                    self.report(f"driver: cannot set {setting} to {value}: {exc}")
                continue
            with self._wake:
                self._applied[setting] = value
                if self._errors.pop(setting, None) is not None:
                    log.info("driver took %s = %s after earlier failures", setting, value)
        return ok

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._closed and not self._pending():
                    self._wake.wait()
                if self._closed:
                    return
            if self._apply_pending():
                self._retry_in = RETRY_FIRST_S
                continue
            with self._wake:  # a failure: try again later, or sooner if a new wish arrives
                self._wake.wait(self._retry_in)
            self._retry_in = min(RETRY_MAX_S, self._retry_in * 2)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)
