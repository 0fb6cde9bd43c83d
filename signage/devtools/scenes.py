"""The bench's scenes: real playlists (with generated pictures) published into a Store,
the same content in every run so figures can be compared across machines and changes.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Callable

from signage.errors import SignageError
from signage.content.models import (
    ClockItem, ImageItem, Message, MessageItem, Playlist, TickerItem, Transition, VideoItem, Zone,
)

SCENES = {
    "a": "static message over an image",
    "b": "message + moving ticker (main zone + ticker strip)",
    "c": "crossfade between two full-panel images, with ticker and clock zones",
    "d": "50-item image playlist, 2 s items, item changes included",
    "e": "1920x1080 30 fps H.264 film filling a 1920x1080 panel, with a ticker zone",
    "f": "the same film on a 768x384 panel, after the upload transcode to the panel's size",
    "g": "item changes image -> film -> image (1920x1080)",
}
# Films play in real time at the panel's size of their own (see devtools.filmbench).
FILM_PANELS = {"e": (1920, 1080), "f": (768, 384), "g": (1920, 1080)}
FILM_SIZE, FILM_FPS, FILM_SECONDS = (1920, 1080), 30, 60
CHANGE_ITEM_S = 3.0  # scene g: each item shows this long
# Every fake clock (the store's stamps, the player's) starts here, so no one sees time go back.
START = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.timezone.utc)
PLAYLIST_ITEMS = 50
PLAYLIST_ITEM_S = 2.0
FADE_ITEM_S = 1.0  # scene c: each image shows this long...
FADE_S = 0.8  # ...and fades in over this long, so most frames are fade frames

WELCOME = Message(vi="Cửa khẩu Thanh Thủy", en="Thanh Thuy Border Gate", zh="清水口岸")
NOTICE = Message(
    vi="Cửa khẩu mở cửa từ 7:00 đến 19:00 hằng ngày. Vui lòng chuẩn bị hộ chiếu.",
    en="The border gate is open daily from 7:00 to 19:00. Please have your passport ready.",
    zh="口岸每日7:00至19:00开放。请准备好护照。",
)


class BenchError(SignageError):
    """A bench option that cannot be used; the message says which and what to write."""


def _picture(size: tuple[int, int], seed: int, tint: str | None = None) -> bytes:
    """A distinct smooth JPEG at `size`; `tint` 'red'/'blue' makes crossfades measurable."""
    from PIL import Image
    import io

    rng = random.Random(seed)
    pixels = bytearray()
    for _ in range(16 * 9):
        r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
        if tint == "red":
            r, b = 160 + r % 96, b % 30
        elif tint == "blue":
            r, b = r % 30, 160 + b % 96
        pixels += bytes((r, g, b))
    image = Image.frombytes("RGB", (16, 9), bytes(pixels)).resize(size, Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _ticker_speed(size: tuple[int, int]) -> float:
    # The same crawl across resolutions: a sixth of the panel width per second.
    return float(min(2000, max(10, round(size[0] / 6))))


def scene_playlist(scene: str, size: tuple[int, int],
                   add_asset: Callable[[bytes], str]) -> Playlist:
    """The playlist for `scene` at `size`; images go through `add_asset` (bytes -> ref)."""
    hour = 3600.0  # long enough that nothing changes while frames are timed
    if scene == "a":
        background = add_asset(_picture(size, 1))
        return Playlist(name="bench-a", items=[
            MessageItem(kind="message", text=WELCOME, background=background, duration=hour)])
    ticker = TickerItem(kind="ticker", text=NOTICE, speed=_ticker_speed(size), duration=hour)
    if scene == "b":
        background = add_asset(_picture(size, 1))
        return Playlist(name="bench-b", layout=[
            Zone(zone="main", rect=("0%", "0%", "100%", "72%"), items=[
                MessageItem(kind="message", text=WELCOME, background=background, duration=hour)]),
            Zone(zone="ticker", rect=("0%", "72%", "100%", "28%"), items=[ticker]),
        ])
    if scene == "c":
        first, second = add_asset(_picture(size, 2, "red")), add_asset(_picture(size, 3, "blue"))
        # The images fill the panel; ticker and clock zones lie on top, later zones above.
        return Playlist(name="bench-c", transition=Transition(kind="crossfade", duration=FADE_S),
                        layout=[
            Zone(zone="main", rect=("0%", "0%", "100%", "100%"), items=[
                ImageItem(kind="image", asset=first, fit="cover", duration=FADE_ITEM_S),
                ImageItem(kind="image", asset=second, fit="cover", duration=FADE_ITEM_S)]),
            Zone(zone="ticker", rect=("0%", "72%", "100%", "28%"), items=[ticker]),
            Zone(zone="clock", rect=("60%", "0%", "40%", "40%"), items=[
                ClockItem(kind="clock", duration=hour)]),
        ])
    if scene == "d":
        refs = [add_asset(_picture(size, 100 + n)) for n in range(PLAYLIST_ITEMS)]
        return Playlist(name="bench-d", items=[
            ImageItem(kind="image", asset=ref, fit="cover", duration=PLAYLIST_ITEM_S)
            for ref in refs])
    raise BenchError(f"unknown scene {scene!r}; choose from {', '.join(SCENES)}")


def film_playlist(scene: str, size: tuple[int, int], film: str,
                  add_asset: Callable[[bytes], str]) -> Playlist:
    """Scenes e-g: the stored film `film` full-panel under a ticker, or between images."""
    if scene == "g":
        first, last = add_asset(_picture(size, 4)), add_asset(_picture(size, 5))
        return Playlist(name="bench-g", items=[
            ImageItem(kind="image", asset=first, fit="cover", duration=CHANGE_ITEM_S),
            VideoItem(kind="video", asset=film, fit="cover", duration=CHANGE_ITEM_S),
            ImageItem(kind="image", asset=last, fit="cover", duration=CHANGE_ITEM_S)])
    ticker = TickerItem(kind="ticker", text=NOTICE, speed=_ticker_speed(size), duration=3600.0)
    return Playlist(name=f"bench-{scene}", layout=[
        Zone(zone="main", rect=("0%", "0%", "100%", "100%"), items=[
            VideoItem(kind="video", asset=film, fit="cover", duration=3600.0)]),
        Zone(zone="ticker", rect=("0%", "85%", "100%", "15%"), items=[ticker]),
    ])


def prepare(scene: str, size: tuple[int, int], data_dir: Path) -> None:
    """Publish the scene's playlist and images (and film) into a fresh store in `data_dir`."""
    if scene in FILM_PANELS:
        from signage.devtools.filmbench import store_film

        publish(lambda add_asset, store: film_playlist(scene, size, store_film(store, scene, size),
                                                        add_asset), data_dir)
    else:
        publish(lambda add_asset, store: scene_playlist(scene, size, add_asset), data_dir)


def publish(make_playlist: Callable[[Callable[[bytes], str], object], Playlist],
            data_dir: Path) -> None:
    """Publish `make_playlist(add_asset, store)` into a fresh store in `data_dir`."""
    from signage.clock import FakeClock
    from signage.media.images import inspect_asset
    from signage.store import Store

    store = Store(data_dir, FakeClock(START))

    def add_asset(data: bytes) -> str:
        return store.assets.add(data, inspect_asset(data))

    try:
        store.content.publish_playlist(make_playlist(add_asset, store), author="bench")
    finally:
        store.close()


def live_playlist(settings) -> Playlist:
    """The playlist prepare() published into `settings.data_dir`."""
    from signage.clock import FakeClock
    from signage.store import Store

    store = Store(settings.data_dir, FakeClock(START))
    try:
        return store.content.live_content().playlist
    finally:
        store.close()
