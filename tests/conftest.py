"""Shared fixtures: a data directory, a store, a fake clock, fonts, the repo's paths."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from signage.clock import FakeClock  # noqa: E402
from signage.settings import Settings  # noqa: E402
from signage.store import Store  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "playlists"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.timezone.utc))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", runtime_dir=tmp_path / "run")


@pytest.fixture
def store(settings: Settings, clock: FakeClock):
    store = Store(settings.data_dir, clock)
    yield store
    store.close()


def add_image(store: Store, data: bytes, original_name: str | None = None) -> str:
    """Store image bytes as the importer does: checked by media, then added by the store."""
    from signage.media.images import inspect_asset

    return store.assets.add(data, inspect_asset(data), original_name)


@pytest.fixture(scope="session")
def fonts():
    from signage.render.fonts import FontBook

    return FontBook()


def emulated_panel(size: tuple[int, int]):
    """An opened emulated panel of `size`."""
    from drivers.emulated import EmulatedPanel

    panel = EmulatedPanel(size)
    panel.open()
    return panel


def player_on(settings, store, clock, panel, fonts, **parts):
    """A player on `panel` driven by `clock`, writing snapshots synchronously; `parts`
    are handed to Player (a notifier, say)."""
    from signage.player.loop import Player
    from signage.render.compositor import Compositor
    from signage.player.snapshot import SnapshotWriter

    compositor = Compositor(panel.size, fonts, store.assets.path, driver=panel)  # as build_player
    return Player(settings, store, panel, clock, compositor,
                  snapshots=SnapshotWriter(settings.snapshot_path, background=False), **parts)
