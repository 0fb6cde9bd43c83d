"""The driver contract and the driver error hierarchy.

A driver takes whole frames (`present`), like a double-buffered canvas's swap: once a
frame is presented the driver owns a copy and the caller may reuse its buffer.
Drivers are chosen by URL, e.g. `emulated://768x384` (drivers.registry, drivers.urls).

`present(frame, dirty)` carries a hint, and every driver takes it: the rectangles of
`frame` that differ from the frame presented before (None: anything may have changed). A
driver that keeps its own copy may update only those rectangles; a driver that sends
whole frames ignores it. The caller passes None after anything that could break the
chain (a failed present, a different buffer), and a driver that has (re)opened treats
its first hint as None.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pygame


class DriverError(Exception):
    """Root of driver faults. `retryable` says whether trying again later may help."""

    retryable = False


class DriverConfigError(DriverError):
    """The driver URL or its options are wrong; retrying will not help."""


class DriverUnavailable(DriverError):
    """The device is not there right now (unplugged, display gone); retry with backoff."""

    retryable = True


@dataclasses.dataclass(frozen=True)
class PanelTelemetry:
    """What the driver last read back from the panel, and when (monotonic seconds)."""

    link: str = "up"  # up | down | unknown
    brightness: float | None = None  # percent, as the device reports or was last set
    power: bool | None = None
    test_pattern: str | None = None
    frames: int = 0
    read_at: float | None = None
    extra: dict = dataclasses.field(default_factory=dict)

    def age(self) -> float | None:
        """Seconds since the read-back (drivers stamp it with time.monotonic())."""
        if self.read_at is None:
            return None
        return max(0.0, time.monotonic() - self.read_at)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data.pop("read_at")
        age = self.age()
        data["age_s"] = None if age is None else round(age, 3)
        return data


@runtime_checkable
class Driver(Protocol):
    size: tuple[int, int]

    def open(self) -> None: ...
    def present(self, frame: "pygame.Surface",
                dirty: "list[pygame.Rect] | None" = None) -> None: ...
    def set_brightness(self, percent: float) -> None: ...
    def set_power(self, on: bool) -> None: ...
    def show_test_pattern(self, pattern: str | None) -> None: ...
    def telemetry(self) -> PanelTelemetry: ...
    def close(self) -> None: ...


class ControlLink(Driver, Protocol):
    """A control driver a technician may also talk to directly (`signage panel`): it opens
    just its link, reads the device's state back, and stores settings on the device."""

    def open_link(self) -> bool: ...
    def read_status(self) -> dict: ...
    def save(self) -> None: ...
