"""Driver URLs: `scheme://target?option=value`, the `VIDEO+CONTROL` pair, and their options.

Every family reads its query through `Options`, so an unknown option, a number out of
range, a bad size or region is refused with the same words whichever driver it is for.
Imports nothing but the driver errors: the registry and the API read URLs through here
without loading any device code.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from typing import Callable, Iterable, TypeVar

from drivers.base import DriverConfigError

DEFAULT_PANEL = (768, 384)  # the wall's pixels when a URL does not say
MAX_SIDE = 16384
Number = TypeVar("Number", int, float)

# "hdmi://0?region=...+novastar:///dev/ttyUSB0": a '+' right before another scheme pairs
# a video path with a control link.
_PAIR_SPLIT = re.compile(r"\+(?=[a-z][a-z0-9.-]*://)")


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


def split_pair(url: str) -> list[str]:
    """The driver URLs in `url`: one, or `[VIDEO, CONTROL]` for a pair (more is an error
    open_driver reports)."""
    return _PAIR_SPLIT.split(url)


def parse_size(text: str, what: str = "size") -> tuple[int, int]:
    """'768x384' -> (768, 384), refusing nonsense with a message that names the field."""
    try:
        w_text, h_text = text.lower().split("x")
        size = int(w_text), int(h_text)
    except ValueError:
        raise DriverConfigError(f"{what} {text!r} is not WIDTHxHEIGHT, e.g. 768x384") from None
    if not all(1 <= n <= MAX_SIDE for n in size):
        raise DriverConfigError(f"{what} {text!r}: each side must be 1..{MAX_SIDE} pixels")
    return size


def parse_region(text: str) -> tuple[int, int, int, int]:
    """'0,0,768,384' -> (0, 0, 768, 384): x, y, width, height."""
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise DriverConfigError(
            f"region {text!r} is not x,y,width,height, e.g. region=0,0,768,384") from None
    if x < 0 or y < 0 or not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise DriverConfigError(f"region {text!r}: x, y must be >= 0 and each side 1..{MAX_SIDE}")
    return x, y, w, h


class Options:
    """A driver URL's query, read option by option. With `known`, any other option is
    refused at once (a typo would otherwise be ignored silently)."""

    def __init__(self, url: DriverURL, known: Iterable[str] | None = None):
        self.url = url
        self.query = url.query
        if known is not None:
            known = tuple(known)
            unknown = sorted(set(url.query) - set(known))
            if unknown:
                name = unknown[0]
                raise DriverConfigError(
                    f"{url.scheme} URL: unknown option {name} ({name!r} unknown to the "
                    f"{url.scheme} driver; known: {', '.join(known)})")

    def text(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)

    def number(self, name: str, default, low: Number, high: Number,
               kind: Callable[[str], Number] = float):
        """The option as `kind` within low..high, or `default` when it is absent."""
        if name not in self.query:
            return default
        text = self.query[name]
        try:
            value = kind(text)
        except ValueError:
            raise DriverConfigError(f"{self.url.scheme} URL option {name}={text!r} is not a "
                                    f"number") from None
        if not low <= value <= high:
            raise DriverConfigError(f"{self.url.scheme} URL option {name}={text} is outside "
                                    f"{low}..{high}")
        return value

    def size(self, name: str = "size", default: tuple[int, int] | None = None):
        """The option as WIDTHxHEIGHT pixels, or `default` when it is absent or empty."""
        text = self.query.get(name)
        return parse_size(text, name) if text else default

    def region(self, name: str = "region") -> tuple[int, int, int, int] | None:
        """The option as x,y,width,height, or None when it is absent."""
        text = self.query.get(name)
        return parse_region(text) if text is not None else None
