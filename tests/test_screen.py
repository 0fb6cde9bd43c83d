"""Observed state tells the truth: the snapshot technicians see is what the panel shows:
black while the wall is blanked, the pattern while a test pattern is on, and says which."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from drivers.pattern_pictures import pattern_surface
from signage.api.observed import read_snapshot
from signage.content.controls import PanelSetting
from signage.store import Store
from tests.test_api import client, tech  # noqa: F401
from tests.test_player import SIZE, message, panel, pixels, play, player, publish  # noqa: F401


@pytest.fixture
def api(settings, clock):
    """The API's own connection: the player sees its writes as another process's."""
    store = Store(settings.data_dir, clock)
    yield store
    store.close()


def snapshot(settings) -> Image.Image:
    return Image.open(io.BytesIO(settings.snapshot_path.read_bytes())).convert("RGB")


def screen_of(settings, clock) -> str | None:
    return read_snapshot(settings.snapshot_path, clock.now()).screen


def test_a_blanked_wall_snapshots_black_at_once_and_says_so(player, store, api, clock, settings,
                                                           panel):
    publish(store, message("Chào mừng", "1h"))
    play(player, clock, 1.5)
    assert snapshot(settings).getextrema() != ((0, 0), (0, 0), (0, 0))
    assert screen_of(settings, clock) == "content"
    api.desired.set_override(PanelSetting.POWER, False, "hai")
    play(player, clock, 1.2)  # the next decision, then the next frame
    assert snapshot(settings).getextrema() == ((0, 0), (0, 0), (0, 0))
    assert screen_of(settings, clock) == "blanked"
    assert snapshot(settings).tobytes() == pixels(panel.last_frame())  # as the panel shows
    api.desired.clear_override(PanelSetting.POWER)
    play(player, clock, 1.2)
    assert screen_of(settings, clock) == "content"
    assert snapshot(settings).getextrema() != ((0, 0), (0, 0), (0, 0))


@pytest.mark.parametrize("pattern", ["red", "white"])
def test_a_test_pattern_is_what_the_snapshot_shows(player, store, api, clock, settings, panel,
                                                   pattern):
    publish(store, message("Chào mừng", "1h"))
    play(player, clock, 1.5)
    api.desired.set_override(PanelSetting.TEST_PATTERN, pattern, "hai")
    play(player, clock, 1.2)
    expected = pygame_rgb(pattern_surface(pattern, SIZE))
    assert snapshot(settings).tobytes() == expected == pixels(panel.last_frame())
    assert screen_of(settings, clock) == f"test-pattern {pattern}"
    assert player_status(settings)["screen"] == f"test-pattern {pattern}"


def test_the_screen_png_answer_names_what_the_panel_shows(player, store, api, clock, settings,
                                                          client, tech):
    publish(store, message("Chào mừng", "1h"))
    api.desired.set_override(PanelSetting.POWER, False, "hai")
    play(player, clock, 2)
    answer = client.get("/api/screen.png", headers=tech)
    assert answer.status_code == 200 and answer.headers["x-screen"] == "blanked"
    assert Image.open(io.BytesIO(answer.content)).convert("RGB").getextrema() == ((0, 0),) * 3


def pygame_rgb(surface) -> bytes:
    import pygame

    return pygame.image.tobytes(surface, "RGB")


def player_status(settings) -> dict:
    import json

    return json.loads(settings.status_path.read_text())
