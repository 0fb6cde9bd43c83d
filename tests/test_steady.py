"""A frame that fails leaves the last picture on the wall, says so, and the loop goes on;
only a loop failing without a break for GIVE_UP_S is given up (the supervisor restarts it)."""

from __future__ import annotations

import threading

import pytest

from signage.content.models import Playlist
from signage.player.steady import GIVE_UP_S
from tests.conftest import emulated_panel, player_on

SIZE = (96, 48)


@pytest.fixture
def panel():
    return emulated_panel(SIZE)


@pytest.fixture
def player(settings, store, clock, panel, fonts):
    store.content.publish_playlist(Playlist.model_validate({"name": "p", "items": [
        {"kind": "message", "duration": "60s", "text": {"vi": "Một", "en": "One", "zh": "一"}}]}),
        "test")
    return player_on(settings, store, clock, panel, fonts)


def breaks(player, frames: int):
    """Make the player's drawing fail for the next `frames` frames (as a renderer bug would)."""
    render, left = player.compositor.end_frame, [frames]

    def broken(*args, **kwargs):
        if left[0] > 0:
            left[0] -= 1
            raise RuntimeError("renderer bug")
        return render(*args, **kwargs)
    player.compositor.end_frame = broken


def test_frames_that_fail_leave_the_last_picture_up_and_the_wall_plays_on(player, panel):
    player.run(threading.Event(), max_frames=60)  # faded in: the message is up
    shown = panel.last_frame().get_at((SIZE[0] // 2, SIZE[1] // 2))
    presented = panel.frames
    breaks(player, 5)
    player.run(threading.Event(), max_frames=player.frames + 10)
    assert panel.frames == presented + 10  # ten frames presented once the five failed ones passed
    assert panel.last_frame().get_at((SIZE[0] // 2, SIZE[1] // 2)) == shown
    errors = [error["message"] for error in player.errors]
    assert errors == ["frame failed: RuntimeError: renderer bug"]  # once, not per frame


def test_a_loop_that_only_fails_is_given_up_for_the_supervisor_to_restart(player, panel, clock):
    player.run(threading.Event(), max_frames=5)
    breaks(player, 5000)  # far past GIVE_UP_S at 30 fps: a loop never given up ends here
    began = clock.monotonic()
    with pytest.raises(RuntimeError, match="renderer bug"):
        player.run(threading.Event(), max_frames=player.frames + 1)
    assert GIVE_UP_S <= clock.monotonic() - began < GIVE_UP_S + 1
