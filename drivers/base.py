"""The driver contract, the driver error hierarchy and `open_driver(url)`.

A driver takes whole frames (`present`), like a double-buffered canvas's swap: once a
frame is presented the driver owns a copy and the caller may reuse its buffer.
Drivers are chosen by URL, e.g. `emulated://768x384`.

`present(frame, dirty)` may carry a hint: the rectangles of `frame` that differ from the
frame presented before (None: anything may have changed). A driver that keeps its own
copy may update only those rectangles; a driver that sends whole frames ignores it. The
caller passes None after anything that could break the chain (a failed present, a
different buffer), and a driver that has (re)opened treats its first hint as None.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import time
import urllib.parse
from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

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


def takes_dirty_hint(driver) -> bool:
    """Whether `driver.present` accepts the `dirty` keyword (drivers written before the
    hint existed do not; callers then present whole frames)."""
    try:
        return "dirty" in inspect.signature(driver.present).parameters
    except (TypeError, ValueError):  # a builtin or a mock without a signature
        return False


@dataclasses.dataclass(frozen=True)
class DriverURL:
    scheme: str
    target: str  # host part or device path
    query: dict[str, str]

    @classmethod
    def parse(cls, url: str) -> "DriverURL":
        parts = urllib.parse.urlsplit(url)
        if not parts.scheme:
            raise DriverConfigError(
                f"driver URL {url!r} has no scheme; write e.g. emulated://768x384"
            )
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        return cls(parts.scheme, parts.netloc + parts.path, query)


def parse_size(text: str, what: str = "size") -> tuple[int, int]:
    """'768x384' -> (768, 384), refusing nonsense with a message that names the field."""
    try:
        w_text, h_text = text.lower().split("x")
        size = int(w_text), int(h_text)
    except ValueError:
        raise DriverConfigError(f"{what} {text!r} is not WIDTHxHEIGHT, e.g. 768x384") from None
    if not all(1 <= n <= 16384 for n in size):
        raise DriverConfigError(f"{what} {text!r}: each side must be 1..16384 pixels")
    return size


def _open_emulated(url: DriverURL) -> Driver:
    from drivers.emulated import EmulatedPanel

    return EmulatedPanel(parse_size(url.target or "768x384"))


# Each scheme names a factory taking the parsed URL. Most are "module:function" strings,
# imported only when used, so a machine without a display never imports the HDMI code.
DRIVER_FACTORIES: dict[str, Callable[[DriverURL], Driver] | str] = {
    "emulated": _open_emulated,
    "hdmi": "drivers.hdmi:from_url",
    "novastar": "drivers.novastar:from_url",
    "tpm2": "drivers.tpm2:from_url",
    "adalight": "drivers.adalight:from_url",
}


def _factory(scheme: str, url: str) -> Callable[[DriverURL], Driver]:
    factory = DRIVER_FACTORIES.get(scheme)
    if factory is None:
        known = ", ".join(sorted(DRIVER_FACTORIES))
        raise DriverConfigError(f"unknown driver {scheme!r} in {url!r}; known: {known}")
    if isinstance(factory, str):
        module_name, _, function = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), function)
    return factory


# "hdmi://0?region=...+novastar:///dev/ttyUSB0": a '+' right before another scheme pairs
# a video path with a control link.
_PAIR_SPLIT = re.compile(r"\+(?=[a-z][a-z0-9.-]*://)")


def split_pair(url: str) -> list[str]:
    """The driver URLs in `url`: one, or `[VIDEO, CONTROL]` for a pair (more is an error
    open_driver reports)."""
    return _PAIR_SPLIT.split(url)


def open_driver(url: str) -> Driver:
    """Build (but do not open) the driver a URL names; `VIDEO+CONTROL` builds a pair."""
    parts = split_pair(url)
    if len(parts) == 2:
        from drivers.paired import PairedDriver

        return PairedDriver(open_driver(parts[0]), open_driver(parts[1]))
    if len(parts) > 2:
        raise DriverConfigError(f"{url!r} pairs more than two drivers; write VIDEO+CONTROL")
    parsed = DriverURL.parse(url)
    return _factory(parsed.scheme, url)(parsed)
