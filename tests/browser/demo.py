"""The demo store the console is photographed (and checked page by page) over, in a data dir:
the sample playlists (vi/en/zh, with their images) live with the sample schedule, one more
image in the library, a submitted revision and a draft, a day of plays, and what a running
player leaves in the runtime dir (its status, the wall's picture)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from pathlib import Path
from typing import Iterator

import yaml
from PIL import Image

from drivers.registry import panel_size
from signage.services import assets as asset_service, revisions
from signage.services.importer import import_paths
from signage.store import Store
from signage.store.access import Principal
from signage.store.records import Play
from signage.store.runtime import write_atomically, write_json
from tests.browser.server import (PEOPLE, Person, console_clock, create_people, data_settings,
                                  running_console)
from tests.conftest import SAMPLES


def seed_demo(store: Store, settings, now: dt.datetime) -> None:
    """The demo content described at the top of this module, with PEOPLE."""
    create_people(store)
    import_paths(store, [SAMPLES], activate="welcome")
    editor = _principal(PEOPLE["editor"])
    asset_service.upload_image(store.assets, store.records, settings, editor,
                               io.BytesIO(_demo_png()), "cổng-chào.png")
    live = store.content.live_playlist("welcome").playlist
    changed = live.model_dump(mode="json", exclude_none=True)
    changed["items"][0]["text"] = {
        "vi": "Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy – Hà Giang",
        "en": "Welcome to Thanh Thuy International Border Gate – Ha Giang",
        "zh": "欢迎来到河江清水国际口岸"}
    saved = revisions.save_playlist(store.assets, store.revisions, settings, editor, "welcome",
                                    yaml.safe_dump(changed, allow_unicode=True))
    revisions.submit(store.revisions, editor, saved.revision)
    draft = store.content.live_playlist("notices").playlist.model_dump(mode="json",
                                                                      exclude_none=True)
    revisions.save_playlist(store.assets, store.revisions, settings, editor, "notices",
                            yaml.safe_dump(draft, allow_unicode=True))
    store.records.record_plays(_day_of_plays(live, now))
    _player_is_up(settings, live, now)


def _player_is_up(settings, playlist, now: dt.datetime) -> None:
    """What a running player leaves in the runtime dir: its status and the wall's picture
    (the welcome playlist 3 s in). The clock stands still, so both stay fresh."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from signage.services.preview import revision_frame_png

    picture = revision_frame_png(playlist, 3.0, now, size=panel_size(settings.driver),
                                 fonts=settings.fonts, assets_dir=settings.assets_dir)
    write_atomically(settings.snapshot_path, picture)
    write_json(settings.status_path, {
        "updated_at": now.isoformat(), "pid": os.getpid(), "state": "playing",
        "screen": "content", "fps": 30.0, "target_fps": 30, "playlist": playlist.name,
        "item": {"playlist": playlist.name, "index": 0, "kind": "message", "remaining_s": 9.0},
        "schedule": {"rule": None}, "time": {"trusted": True},
        "driver": {"url": settings.driver, "ok": True, "link": "up", "extra": {"cards": [
            {"port": 1, "index": 0, "present": True, "temperature_c": 41.5, "voltage_v": 5.0},
            {"port": 1, "index": 1, "present": True, "temperature_c": 43.0, "voltage_v": 4.9}]}}})
    _a_day_of_history(settings, now)


def _a_day_of_history(settings, now: dt.datetime) -> None:
    """A day of minute points: the frame rate dipping at noon, the cards warming by day."""
    import math

    from signage.store.history import MinutePoint, write_history
    start = now.replace(second=0, microsecond=0) - dt.timedelta(hours=24)
    points = []
    for minute in range(24 * 60):
        at = start + dt.timedelta(minutes=minute)
        warmth = 12 * math.sin(math.pi * minute / (24 * 60))
        fps = 24.5 if 700 <= minute < 720 else 29.8
        points.append(MinutePoint(at, 60, fps_mean=fps, fps_min=fps - 0.5,
                                  temperature_max_c=round(38 + warmth, 1)))
    write_history(settings.history_path, points)


def _principal(person: Person) -> Principal:
    return Principal(person.name, person.role, "user")


def _demo_png() -> bytes:
    image = Image.new("RGB", (384, 192), (20, 90, 60))
    image.paste((240, 200, 40), (24, 24, 360, 168))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _day_of_plays(playlist, now: dt.datetime) -> list[Play]:
    """Every item of `playlist` in turn over the last 24 hours, one every ten minutes."""
    plays = []
    for n in range(24 * 6):
        start = now - dt.timedelta(minutes=10 * (n + 1))
        item = n % len(playlist.items)
        kind = playlist.items[item].kind
        plays.append(Play(start, start + dt.timedelta(seconds=10), "main", playlist.name, item,
                          kind, f"{playlist.name} #{item + 1}", None, None))
    return plays


@contextlib.contextmanager
def demo_console(root: Path) -> Iterator[str]:
    """The console over a demo store in `root`, served on 127.0.0.1; yields its base URL."""
    settings, clock = data_settings(root), console_clock()
    store = Store(settings.data_dir, clock)
    try:
        seed_demo(store, settings, clock.now())
        with running_console(settings, clock, store) as url:
            yield url
    finally:
        store.close()
