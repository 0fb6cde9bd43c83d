"""A player's film decoder: its ring of ready frames, refilled once the frame is out, and
drawn in buffers the panel lends (shown without the frame loop's copy)."""

from __future__ import annotations

import pytest

from drivers.emulated import EmulatedPanel
from signage.render.pictures import LentBuffers
from signage.render.video import READY_FRAMES, FilmDecoder
from tests.films import frame_number, make_film

SIZE = (256, 64)
PATIENCE_S = 10.0  # for the decoder thread to do what it must; no test waits this long


@pytest.fixture
def film(tmp_path):
    return make_film(tmp_path / "ring.mp4", fps=30, seconds=2, size=SIZE)


def players_decoder(film, **options) -> FilmDecoder:
    decoder = FilmDecoder(film, SIZE, "stretch", wait=False, declared=2.0, **options)
    decoder.wait_first()
    assert ring_fills(decoder)
    return decoder


def ring_fills(decoder: FilmDecoder) -> bool:
    with decoder._cond:
        return decoder._cond.wait_for(lambda: len(decoder._ready) == READY_FRAMES, PATIENCE_S)


def test_the_room_a_frame_makes_is_the_decoders_once_the_frame_is_out(film):
    decoder = players_decoder(film)
    try:
        shown = decoder.frame_at(0.0)
        assert frame_number(shown.surface) == 0
        with decoder._cond:  # the decoder waits: the ring counts the frame just taken
            assert len(decoder._ready) + decoder._held_room == READY_FRAMES
        decoder.frame_out()
        assert ring_fills(decoder)
        assert [frame_number(p.surface) for p in decoder._ready] == [1, 2, 3]
    finally:
        decoder.close()


def test_a_ring_run_dry_is_refilled_without_waiting_for_the_frame_loop(film):
    """A caller that never says the frame is out still gets every frame (never frozen)."""
    decoder = players_decoder(film)
    try:
        for n in range(0, 12, READY_FRAMES):  # takes the whole ring each time
            assert ring_fills(decoder)
            shown = decoder.frame_at((n + READY_FRAMES - 1) / 30)
            assert frame_number(shown.surface) == n + READY_FRAMES - 1
    finally:
        decoder.close()


def test_a_film_filling_the_panel_is_decoded_into_buffers_the_panel_lends(film):
    panel = EmulatedPanel(SIZE)
    panel.open()
    decoder = players_decoder(film, surfaces=LentBuffers(panel, SIZE))
    try:
        for n in range(6):
            picture = decoder.frame_at(n / 30)
            panel.present(picture.surface)
            decoder.frame_out()
            assert ring_fills(decoder)
        assert panel.lent_frames == 6 and frame_number(panel.last_frame()) == 5
    finally:
        decoder.close()
        decoder._thread.join(PATIENCE_S)
    lent_again = panel.lend_buffer()  # the ring gave its buffers back when it stopped
    assert lent_again is not picture.surface  # the one on show is never handed out
    assert panel.return_buffer(lent_again) is None and panel.lend_buffer() is lent_again
