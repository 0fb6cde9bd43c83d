"""One entry per driver family: how a URL becomes a driver, and what a URL alone tells.

A family is a URL scheme, a factory, the panel size a URL names, the test patterns its
devices show, the emulated device `signage emulate-panel` serves for it on a pty (serial
families), and whether `signage panel` may talk to it (a control link). Any two families
pair as `VIDEO+CONTROL`: the pair shows the video's picture at the video's size and the
control link's test patterns.

This module loads no device code: each factory imports its family's module when it is
called, so the API and the console read panel sizes and patterns here without pygame or
pyserial. Adding a protocol is one module plus one `Family` in `_BUILT_IN`; tests add a
family of their own with `registered(family)`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import urllib.parse
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from drivers.base import Driver, DriverConfigError
from drivers.urls import DEFAULT_PANEL, DriverURL, Options, parse_size, split_pair

if TYPE_CHECKING:
    from drivers.ptyport import EmulatedPeer

# Drawn in software by the emulated panel and the HDMI window.
SOFTWARE_PATTERNS = ("red", "green", "blue", "white", "black")
# Drawn by the serial-frame drivers (TPM2, Adalight); corners find a sign's wiring.
SERIAL_PATTERNS = SOFTWARE_PATTERNS + ("corners",)
# The NovaStar receiving cards' own self-test patterns (protocol p. 49).
NOVASTAR_PATTERNS = ("red", "green", "blue", "white", "horizontal", "vertical", "diagonal",
                     "grey", "ageing")

Size = tuple[int, int]


@dataclasses.dataclass(frozen=True)
class Family:
    """One kind of device, chosen by the scheme of its driver URL."""

    scheme: str
    open: Callable[[DriverURL], Driver]  # builds the driver; does not open the device
    panel_size: Callable[[DriverURL], Size]  # the panel's pixels, without opening anything
    patterns: tuple[str, ...]  # the test patterns its devices show
    # The device `signage emulate-panel --protocol SCHEME` serves, from --size and --map.
    peer: Callable[[Size, Mapping[str, str]], "EmulatedPeer"] | None = None
    control_link: bool = False  # its drivers are base.ControlLink: `signage panel` works


def lazy(target: str) -> Callable:
    """'module:name.attr' as a callable that imports the module when first called."""
    module_name, _, path = target.partition(":")

    def call(*args, **kwargs):
        found = importlib.import_module(module_name)
        for name in path.split("."):
            found = getattr(found, name)
        return found(*args, **kwargs)

    call.__name__ = call.__qualname__ = target
    return call


def size_option(url: DriverURL) -> Size:
    """The panel size `?size=WxH` names; DEFAULT_PANEL without one."""
    return Options(url).size(default=DEFAULT_PANEL)


def _target_size(url: DriverURL) -> Size:
    """emulated://WxH: the size is the URL's target."""
    return parse_size(url.target) if url.target else DEFAULT_PANEL


def _region_size(url: DriverURL) -> Size:
    """hdmi://0?region=x,y,w,h: the panel is the sending card's capture region."""
    region = Options(url).region()
    return region[2:] if region else DEFAULT_PANEL


def _open_emulated(url: DriverURL) -> Driver:
    from drivers.emulated import EmulatedPanel

    return EmulatedPanel(_target_size(url))


_BUILT_IN = (
    Family("emulated", _open_emulated, _target_size, SOFTWARE_PATTERNS),
    Family("hdmi", lazy("drivers.hdmi:from_url"), _region_size, SOFTWARE_PATTERNS),
    Family("novastar", lazy("drivers.novastar:from_url"), size_option, NOVASTAR_PATTERNS,
           peer=lazy("drivers.novastar_device:NovaStarDevice.emulate"), control_link=True),
    Family("tpm2", lazy("drivers.tpm2:from_url"), size_option, SERIAL_PATTERNS,
           peer=lazy("drivers.framedevices:Tpm2Device.emulate")),
    Family("adalight", lazy("drivers.adalight:from_url"), size_option, SERIAL_PATTERNS,
           peer=lazy("drivers.framedevices:AdalightDevice.emulate")),
)
_FAMILIES: dict[str, Family] = {family.scheme: family for family in _BUILT_IN}


@contextlib.contextmanager
def registered(family: Family) -> Iterator[Family]:
    """Add a family for the duration of the block (tests, plug-ins); it is gone afterwards."""
    if family.scheme in _FAMILIES:
        raise ValueError(f"a driver family for {family.scheme}:// is already registered")
    _FAMILIES[family.scheme] = family
    try:
        yield family
    finally:
        del _FAMILIES[family.scheme]


def families() -> tuple[Family, ...]:
    """Every family known now, built-in first."""
    return tuple(_FAMILIES.values())


def family(scheme: str, url: str | None = None) -> Family:
    """The family of a URL scheme; DriverConfigError names the known ones."""
    found = _FAMILIES.get(scheme)
    if found is None:
        known, where = ", ".join(sorted(_FAMILIES)), f" in {url!r}" if url else ""
        raise DriverConfigError(f"unknown driver {scheme!r}{where}; known: {known}")
    return found


def family_for(url: str) -> Family:
    """The family of a single driver URL (not a VIDEO+CONTROL pair)."""
    parts = split_pair(url)
    if len(parts) > 1:
        raise DriverConfigError(f"{url!r} pairs {len(parts)} drivers; name one, e.g. "
                                f"{parts[-1]}")
    return family(DriverURL.parse(url).scheme, url)


def open_driver(url: str) -> Driver:
    """Build (but do not open) the driver a URL names; `VIDEO+CONTROL` builds a pair."""
    parts = split_pair(url)
    if len(parts) == 2:
        from drivers.paired import PairedDriver

        return PairedDriver(open_driver(parts[0]), open_driver(parts[1]))
    if len(parts) > 2:
        raise DriverConfigError(f"{url!r} pairs more than two drivers; write VIDEO+CONTROL")
    return family_for(url).open(DriverURL.parse(url))


def panel_size(url: str) -> Size:
    """The panel size a driver URL names; a pair's is its video path's. An unknown scheme
    (which the player refuses to open) gets DEFAULT_PANEL."""
    video = DriverURL.parse(split_pair(url)[0])
    family = _FAMILIES.get(video.scheme)
    return family.panel_size(video) if family else DEFAULT_PANEL


def patterns_for(url: str) -> tuple[str, ...]:
    """The test patterns the wall a driver URL names can show. For VIDEO+CONTROL the
    control link shows them; an unknown scheme shows none."""
    family = _FAMILIES.get(urllib.parse.urlsplit(split_pair(url)[-1]).scheme)
    return family.patterns if family else ()
