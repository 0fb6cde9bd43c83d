"""Content models: trilingual messages, items, playlists. Validation only, no I/O.

Content is written by people in YAML, so every refusal names the field and says what
to do. Unknown fields are refused (a typo such as `duraton` must not be ignored).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
import zoneinfo
from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from signage.content.chinese import traditional_in
from signage.content.durations import (MAX_DURATION_S, MIN_DURATION_S, format_duration,  # noqa: F401
                                      parse_duration, parse_seconds)
from signage.content.refusal import Refusal


Duration = Annotated[
    float, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]

LANGUAGES = ("vi", "en", "zh")
MAX_TEXT_CHARS = 500
# Items in one playlist, over all its zones, and the text they hold in all languages. Each
# item is laid out and checked at the door, and the layout's cost grows with its text, so
# the two caps bound a save under 2 s (200 short items about 0.8 s, 30,000 characters of
# long messages about 1.5 s); a loop of 200 items is over half an hour of screen time. 8,000
# items used to take 41-80 s to save and slowed the player's frames fivefold. Raising a
# cap: measure the save of the biggest legal playlist and `signage bench` first.
MAX_ITEMS = 200
MAX_ZONES = 16
MAX_PLAYLIST_TEXT_CHARS = 30_000


# Bidirectional controls can make text display differently from how it reads in the
# file ("Trojan source"); nothing in vi/en/zh needs them.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _clean_text(value: Any) -> str:
    if not isinstance(value, str):
        raise Refusal("string_type", "must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise Refusal("empty_text", "must not be empty: every message needs vi, en and zh text")
    for ch in text:
        if ch == "\n":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
            raise Refusal("control_character",
                          f"contains the control character U+{ord(ch):04X}; remove it",
                          char=f"U+{ord(ch):04X}")
    if len(text) > MAX_TEXT_CHARS:
        raise Refusal("text_too_long",
                      f"is {len(text)} characters; at most {MAX_TEXT_CHARS} fit on a wall, shorten it",
                      length=len(text), max=MAX_TEXT_CHARS)
    return text


Text = Annotated[str, BeforeValidator(_clean_text)]


def _simplified(text: str) -> str:
    found, suggestion = traditional_in(text)
    if found:
        raise PydanticCustomError(
            "traditional_chinese",
            "uses Traditional characters ({characters}); the wall shows Simplified Chinese: "
            "write {suggestion}",
            {"characters": " ".join(found), "suggestion": suggestion})
    return text


ChineseText = Annotated[str, BeforeValidator(_clean_text), AfterValidator(_simplified)]

_SHA256_REF = re.compile(r"^sha256:[0-9a-f]{64}$")


def _check_asset_ref(value: Any) -> str:
    """An asset is `sha256:<hex>` in the store, or a relative path when importing files."""
    if not isinstance(value, str) or not value.strip():
        raise Refusal("bad_asset_ref", "must name an asset: sha256:<64 hex digits> or a path under assets/")
    value = value.strip()
    if value.startswith("sha256:"):
        if not _SHA256_REF.match(value):
            raise Refusal("bad_asset_ref", "a sha256 reference is 'sha256:' and 64 lowercase hex digits")
        return value
    if value.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", value) or ":" in value:
        raise Refusal("bad_asset_ref", "a path must be relative and stay inside the content folder")
    return value


AssetRef = Annotated[str, BeforeValidator(_check_asset_ref)]


def is_stored_ref(ref: str) -> bool:
    return bool(_SHA256_REF.match(ref))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(_Strict):
    """One text in the three languages; Vietnamese is shown first and largest."""

    vi: Text
    en: Text
    zh: ChineseText

    def in_order(self) -> tuple[str, str, str]:
        return (self.vi, self.en, self.zh)


TRANSITION_KINDS = ("cut", "crossfade", "slide-left", "slide-up", "wipe")
MAX_TRANSITION_S = 5.0


def _parse_transition_duration(value: Any) -> float:
    seconds = parse_seconds(value)
    if not 0 <= seconds <= MAX_TRANSITION_S:
        raise Refusal("duration_range", f"must be between 0s and {MAX_TRANSITION_S:g}s (got {seconds:g}s)",
                      min="0s", max=f"{MAX_TRANSITION_S:g}s", seconds=seconds)
    return seconds


TransitionDuration = Annotated[
    float, BeforeValidator(_parse_transition_duration),
    PlainSerializer(format_duration, return_type=str),
]


def _transition_shorthand(value: Any) -> Any:
    """`transition: wipe` is short for `transition: {kind: wipe}`."""
    return {"kind": value} if isinstance(value, str) else value


class Transition(_Strict):
    """How an item replaces the one before it in its zone."""

    kind: Literal["cut", "crossfade", "slide-left", "slide-up", "wipe"] = "crossfade"
    duration: TransitionDuration = 0.4

    @property
    def seconds(self) -> float:
        """How long the transition runs (a cut takes no time)."""
        return 0.0 if self.kind == "cut" else self.duration


TransitionField = Annotated[Transition, BeforeValidator(_transition_shorthand)]
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _check_color(value: Any) -> str:
    if not isinstance(value, str) or not _HEX_COLOR.match(value.strip()):
        raise Refusal("bad_color", "write a colour as #rrggbb, e.g. #ffffff for white")
    return value.strip().lower()


Color = Annotated[str, BeforeValidator(_check_color)]


def color_rgb(color: str) -> tuple[int, int, int]:
    """'#ffcc00' -> (255, 204, 0)."""
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


class TextStyle(_Strict):
    """How text is drawn: its colour, an outline, or a dark plate behind it, so text stays
    readable over any background."""

    color: Color = "#ffffff"
    outline: int = Field(0, ge=0, le=8, description="outline width in panel pixels")
    plate: bool = False


def _check_time_zone(value: Any) -> str:
    if not isinstance(value, str) or "/" not in value:
        raise Refusal("bad_time_zone", "name a time zone such as Asia/Ho_Chi_Minh", value=str(value)[:40])
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Refusal("bad_time_zone", f"{value!r} is not a known time zone; e.g. Asia/Ho_Chi_Minh",
                      value=value[:40]) from None
    return value


TimeZoneName = Annotated[str, BeforeValidator(_check_time_zone)]


class _ItemBase(_Strict):
    """What every item has: how long it shows and how it comes on screen.

    Without `transition` the playlist's transition applies."""

    transition: TransitionField | None = None


TEMPLATES = ("plain", "card")  # "emergency" is drawn only for emergency notices
CATEGORIES = ("notice", "info", "welcome", "warning")
EMERGENCY_CONTEXT = "emergency_notice"  # validation context key the player's notice sets


class MessageItem(_ItemBase):
    """A trilingual message. `template: card` draws it as a designed card: a header band in
    the category's accent colour with its label (THÔNG BÁO / NOTICE / 通知 ...), the gate's
    name and an optional `logo` image from the library."""

    kind: Literal["message"]
    text: Message
    background: AssetRef | None = None
    style: TextStyle | None = None
    template: Literal["plain", "card", "emergency"] = "plain"
    category: Literal["notice", "info", "welcome", "warning"] = "notice"
    logo: AssetRef | None = None
    duration: Duration = 10.0

    @field_validator("template")
    @classmethod
    def _emergency_only_for_notices(cls, value: str, info) -> str:
        # the red KHẨN CẤP card must mean the approved emergency workflow, nothing else
        if value == "emergency" and not (info.context or {}).get(EMERGENCY_CONTEXT):
            raise ValueError("the emergency design is only for emergency notices (signage "
                             "emergency post); use template: card with category: warning")
        return value


class ImageItem(_ItemBase):
    kind: Literal["image"]
    asset: AssetRef
    fit: Literal["cover", "contain", "stretch"] = "contain"
    caption: Message | None = None
    style: TextStyle | None = None  # for the caption
    duration: Duration = 8.0


MAX_FILM_LOOPS = 1000


def _parse_film_offset(value: Any) -> float:
    seconds = parse_seconds(value)
    if not 0 <= seconds <= MAX_DURATION_S:
        raise ValueError("must be between 0s and 24h: a time in the film, e.g. 1m30s")
    return seconds


FilmOffset = Annotated[
    float, BeforeValidator(_parse_film_offset), PlainSerializer(format_duration, return_type=str)
]


class VideoItem(_ItemBase):
    """A stored film, fitted to the zone. It plays `loop` times (once by default), or
    loops until `duration` is over; `start`/`end` trim it. Sound is ignored (the wall has
    no speakers). Without `duration` the player learns the length from the film itself."""

    kind: Literal["video"]
    asset: AssetRef
    fit: Literal["cover", "contain", "stretch"] = "contain"
    loop: int | None = Field(None, ge=1, le=MAX_FILM_LOOPS, description="times to play it")
    duration: Duration | None = None
    start: FilmOffset = 0.0
    end: FilmOffset | None = None
    caption: Message | None = None
    style: TextStyle | None = None  # for the caption

    @model_validator(mode="after")
    def _timing(self) -> "VideoItem":
        if self.loop is not None and self.duration is not None:
            raise ValueError("give either loop (times to play the film) or duration, not both")
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must come after start in the film")
        return self

    def playing_time(self, film_length: float) -> float:
        """How long the item stays on screen when the (trimmed) film lasts `film_length` s."""
        if self.duration is not None:
            return self.duration
        return max(film_length, MIN_DURATION_S) * (self.loop or 1)


class TickerItem(_ItemBase):
    """A continuous crawl of the vi, en and zh texts, in that order, looping seamlessly."""

    kind: Literal["ticker"]
    text: Message
    speed: float = Field(96.0, ge=10, le=2000, description="pixels per second")
    separator: str = Field(" • ", min_length=1, max_length=8)
    style: TextStyle | None = None
    duration: Duration = 30.0  # only matters when the ticker shares a zone with other items


class ClockItem(_ItemBase):
    """Time and date in each named zone, labelled in vi, en and zh."""

    kind: Literal["clock"]
    zones: list[TimeZoneName] = Field(
        default_factory=lambda: ["Asia/Ho_Chi_Minh", "Asia/Shanghai"], min_length=1, max_length=3
    )
    style: TextStyle | None = None
    duration: Duration = 10.0


class StandbyItem(_ItemBase):
    """The built-in trilingual card (the gate's name)."""

    kind: Literal["standby"]
    duration: Duration = 10.0


ITEM_KINDS = ("message", "image", "video", "ticker", "clock", "standby")
Item = Annotated[
    Union[MessageItem, ImageItem, VideoItem, TickerItem, ClockItem, StandbyItem],
    Field(discriminator="kind"),
]
AnyItem = Union[MessageItem, ImageItem, VideoItem, TickerItem, ClockItem, StandbyItem]


def _check_length(value: Any) -> int | str:
    """A zone edge: whole panel pixels (120) or a percentage of the panel ("25%")."""
    if isinstance(value, bool):
        raise Refusal("bad_length", "write pixels (e.g. 120) or a percentage (e.g. 25%)")
    if isinstance(value, int):
        if value < 0:
            raise Refusal("bad_length", "must not be negative")
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?%\s*", value):
        percent = float(value.strip()[:-1])
        if percent > 100:
            raise Refusal("bad_length", "a percentage must be at most 100%")
        return value.strip()
    raise Refusal("bad_length", "write pixels (e.g. 120) or a percentage (e.g. 25%)")


Length = Annotated[Union[int, str], BeforeValidator(_check_length)]
SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"


def _slug_hint(value: Any) -> Any:
    if isinstance(value, str) and not re.match(SLUG, value):
        raise Refusal("bad_name", "use 1-64 lowercase letters, digits, '-' or '_', "
                      "starting with a letter or digit")
    return value


Slug = Annotated[str, BeforeValidator(_slug_hint), Field(pattern=SLUG)]


def _resolve_length(value: int | str, panel: int) -> int:
    if isinstance(value, int):
        return value
    return round(float(value[:-1]) * panel / 100)


class Zone(_Strict):
    """A named rectangle of the panel that plays its own sequence of items."""

    zone: Slug
    rect: tuple[Length, Length, Length, Length]  # x, y, width, height
    items: list[Item] = Field(min_length=1, max_length=MAX_ITEMS)

    def box(self, panel: tuple[int, int]) -> tuple[int, int, int, int]:
        """(x, y, w, h) in panel pixels, clipped to the panel."""
        pw, ph = panel
        x = min(_resolve_length(self.rect[0], pw), pw)
        y = min(_resolve_length(self.rect[1], ph), ph)
        w = min(_resolve_length(self.rect[2], pw), pw - x)
        h = min(_resolve_length(self.rect[3], ph), ph - y)
        return x, y, w, h


FULL_PANEL = ("0%", "0%", "100%", "100%")


class Playlist(_Strict):
    """Items played in order on the whole panel, or a `layout` of zones each playing its own."""

    name: Slug
    # The provincial department the content comes from (foreign affairs, culture and
    # tourism, ...): proof-of-play reports total the wall's time per department.
    department: Annotated[str, BeforeValidator(_clean_text)] | None = Field(None, max_length=80)
    items: list[Item] | None = Field(None, min_length=1, max_length=MAX_ITEMS)
    layout: list[Zone] | None = Field(None, min_length=1, max_length=MAX_ZONES)
    transition: TransitionField = Transition()

    @model_validator(mode="after")
    def _items_or_layout(self) -> "Playlist":
        if (self.items is None) == (self.layout is None):
            raise Refusal("items_or_layout",
                          "give either items (one full-panel zone) or a layout of zones, not both")
        if self.layout is not None:
            names = [zone.zone for zone in self.layout]
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise Refusal("zone_names_differ",
                              f"zone names must differ; {', '.join(duplicates)} is used twice",
                              names=", ".join(duplicates))
            total = sum(len(zone.items) for zone in self.layout)
            if total > MAX_ITEMS:
                raise Refusal("too_many_items", f"the zones hold {total} items together; a "
                              f"playlist holds at most {MAX_ITEMS}, split it into several "
                              "playlists", count=total, max=MAX_ITEMS)
        characters = sum(_text_chars(item) for _path, item in self.item_paths())
        if characters > MAX_PLAYLIST_TEXT_CHARS:
            raise Refusal("too_much_text", f"the items hold {characters} characters of text "
                          f"together; a playlist holds at most {MAX_PLAYLIST_TEXT_CHARS}, split "
                          "it into several playlists", count=characters, max=MAX_PLAYLIST_TEXT_CHARS)
        return self

    def zones(self) -> list[Zone]:
        """The zones to play; a playlist without a layout is one full-panel zone 'main'."""
        if self.layout is not None:
            return list(self.layout)
        return [Zone(zone="main", rect=FULL_PANEL, items=self.items)]

    def item_paths(self) -> Iterator[tuple[tuple, AnyItem]]:
        """(field path, item) for every item, in document order."""
        if self.items is not None:
            for index, item in enumerate(self.items):
                yield ("items", index), item
        for zone_index, zone in enumerate(self.layout or ()):
            for index, item in enumerate(zone.items):
                yield ("layout", zone_index, "items", index), item

    def item_count(self) -> int:
        return sum(1 for _ in self.item_paths())

    def asset_fields(self) -> Iterator[tuple[tuple, str]]:
        """(field path, reference) for every asset the playlist names."""
        for path, item in self.item_paths():
            for field in ("asset", "background", "logo"):
                ref = getattr(item, field, None)
                if ref:
                    yield path + (field,), ref

    def asset_refs(self) -> set[str]:
        return {ref for _path, ref in self.asset_fields()}


def _text_chars(item: Any) -> int:
    """Characters of text an item shows, in all languages (messages, captions, tickers)."""
    return sum(len(text) for field in ("text", "caption")
               if isinstance(message := getattr(item, field, None), Message)
               for text in message.in_order())


EMERGENCY_PRIORITY = 100
MAX_EMERGENCY_S = 7 * 24 * 3600.0


class EmergencyNotice(_Strict):
    """An urgent message for the whole panel. It must end by itself: give `duration` (from
    its start) or `expires_at`; without `starts_at` it starts at once."""

    text: Message
    starts_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    duration: Duration | None = None
    priority: int = Field(EMERGENCY_PRIORITY, ge=1, le=1000)

    @model_validator(mode="after")
    def _one_end(self) -> "EmergencyNotice":
        if (self.expires_at is None) == (self.duration is None):
            raise Refusal("one_end",
                          "give either duration (e.g. 2h) or expires_at, so the notice ends by itself")
        return self

    def window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(start, expiry) as aware times; refuses an expiry in the past or too far ahead."""
        start = self.starts_at or now
        end = self.expires_at or start + dt.timedelta(seconds=self.duration)
        if end <= max(start, now):
            raise ValueError("expires_at is already past; give a later time or a duration")
        if (end - start).total_seconds() > MAX_EMERGENCY_S:
            raise ValueError("an emergency notice may last at most 7 days; publish a playlist instead")
        return start, end
