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

A driver may also lend frame buffers (`LendsBuffers`): panel-size surfaces in its own
memory that `present` shows without copying them, as a page flip does. A film that fills
the panel is decoded straight into them, so the 8 MB copy of each film frame leaves the
frame loop. Lending is optional: a driver without it, or out of buffers, is given plain
frames and copies them. The rules:
- `lend_buffer()` returns a new or returned buffer (frame format, any old pixels), or None
  when it has none to spare; it may be called from any thread.
- A presented buffer is the picture shown until another frame is presented: the driver
  keeps a reference to it meanwhile (rings that reuse a surface only when nobody else
  holds it see it held), and reads it whenever it must show the picture again. The caller
  may draw into it again and present it again (zones over a film), like any frame.
- `return_buffer(buffer)` gives one back when its user is done with it (never one still
  presented: the driver keeps that one until another frame replaces it).
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


@runtime_checkable
class LendsBuffers(Protocol):
    """A driver that shows buffers it lent without copying them (see the module's text)."""

    def lend_buffer(self) -> "pygame.Surface | None": ...
    def return_buffer(self, buffer: "pygame.Surface") -> None: ...


def lend_through(inner) -> "pygame.Surface | None":
    """For a driver that wraps `inner`: a buffer `inner` lends, if it lends any."""
    lend = getattr(inner, "lend_buffer", None)
    return lend() if lend is not None else None


def return_through(inner, buffer: "pygame.Surface") -> None:
    give = getattr(inner, "return_buffer", None)
    if give is not None:
        give(buffer)


class ControlLink(Driver, Protocol):
    """A control driver a technician may also talk to directly (`signage panel`): it opens
    just its link, reads the device's state back, and stores settings on the device."""

    def open_link(self) -> bool: ...
    def read_status(self) -> dict: ...
    def save(self) -> None: ...
