"""The HDMI driver lends frame buffers (drivers.base's LendsBuffers): under a real Xvfb read
back by screenshot, a lent buffer presented is shown from its own shared slot without a
copy, on every redraw and after the window process died, and the slots are handed out,
given back and reclaimed as a film's ring needs. (An expose and a resize with a lent
buffer shown: tests/test_hdmi_output.py.)"""

import ctypes
import gc
import sys
import time

import av
import pygame
import pytest

from drivers.hdmi_slots import LENT_BUFFERS
from signage.render.filmconvert import surface_scaler
from tests.test_hdmi import (  # noqa: F401 (fixtures)
    REGION,
    driver,
    fake_clock,
    known_picture,
    region_and_rest,
    xvfb,
)
from tests.test_hdmi_output import open_hdmi

SIZE = REGION[2:]


def solid(colour, size=SIZE) -> bytes:
    """The RGB bytes of a region filled with `colour`."""
    return bytes(colour) * (size[0] * size[1])


def lent_filled(driver, colour) -> pygame.Surface:
    lent = driver.lend_buffer()
    assert lent is not None and lent.get_size() == SIZE
    lent.fill(colour)
    return lent


def write_bgra(surface: pygame.Surface, rgb: bytes, alpha: int) -> None:
    """Write an RGB picture into the surface's own pixels as bytes B, G, R, A, row by row
    at its pitch, as swscale does (the alpha byte: 255 for FFmpeg's bgra, 0 for bgr0)."""
    width, height = surface.get_size()
    for y in range(height):
        row = rgb[y * width * 3:(y + 1) * width * 3]
        bgra = bytes(c for x in range(width)
                     for c in (row[3 * x + 2], row[3 * x + 1], row[3 * x], alpha))
        ctypes.memmove(surface._pixels_address + y * surface.get_pitch(), bgra, len(bgra))


@pytest.mark.parametrize("present", ["surface", "gpu"])
def test_a_lent_buffer_is_shown_from_its_slot_without_a_copy(xvfb, fake_clock, present):
    driver = open_hdmi(xvfb, fake_clock, present)
    try:
        frame, rgb = known_picture()
        driver.present(frame)
        lent = lent_filled(driver, (10, 200, 30))
        driver.present(lent)
        assert region_and_rest(xvfb) == (solid((10, 200, 30)), None)
        # Not copied: the driver's copy (slot 0) still holds the plain frame...
        assert pygame.image.tobytes(driver._slots.copy, "RGB") == rgb
        # ...and the window reads the lent buffer itself whenever it draws again.
        lent.fill((250, 120, 5))
        driver.set_brightness(100)  # a state change redraws the picture shown
        assert region_and_rest(xvfb)[0] == solid((250, 120, 5))
        assert driver.telemetry().extra["lent_buffers"] == 1
    finally:
        driver.close()


def test_a_plain_frame_after_a_lent_one_is_shown_whole_despite_a_small_hint(xvfb, driver):
    first, _ = known_picture()
    driver.present(first)  # slot 0 now holds this older picture
    driver.present(lent_filled(driver, (0, 0, 255)), dirty=None)
    second = pygame.Surface(SIZE)
    second.fill((200, 50, 90))
    driver.present(second, dirty=[pygame.Rect(2, 3, 4, 5)])  # relative to the lent frame
    assert region_and_rest(xvfb) == (solid((200, 50, 90)), None)


def test_another_lent_buffer_is_shown_whole_despite_a_small_hint(xvfb, driver):
    driver.present(lent_filled(driver, (255, 0, 0)))
    driver.present(lent_filled(driver, (0, 255, 0)), dirty=[pygame.Rect(2, 3, 4, 5)])
    assert region_and_rest(xvfb) == (solid((0, 255, 0)), None)


def test_a_hint_on_the_lent_buffer_shown_updates_only_those_rectangles(xvfb, driver):
    """Zones drawn over a film frame: the same buffer presented again with a hint."""
    lent = lent_filled(driver, (255, 0, 0))
    driver.present(lent)
    lent.fill((0, 0, 255))
    lent.fill((255, 255, 255), (2, 3, 4, 5))
    driver.present(lent, dirty=[pygame.Rect(2, 3, 4, 5)])
    shot = xvfb.screenshot()
    x, y = REGION[:2]
    assert shot.getpixel((x + 3, y + 4)) == (255, 255, 255)
    assert shot.getpixel((x + 20, y + 20)) == (255, 0, 0)  # not named: not sent


def test_a_window_killed_while_a_lent_buffer_is_shown_comes_back_showing_it(
        xvfb, driver, fake_clock):
    first, _ = known_picture()
    driver.present(first)
    lent = lent_filled(driver, (40, 160, 220))
    driver.present(lent)
    driver._process.kill()  # the window process dies (a crash, the OOM killer)
    driver._process.wait()
    driver.present(lent, dirty=[])  # a still film frame: nothing to send, the loss is seen
    assert driver.telemetry().link == "down"
    fake_clock.advance(0.5)
    deadline = time.monotonic() + 20
    while driver.telemetry().link != "up" and time.monotonic() < deadline:
        # Nothing changed, so no frame is sent: the new window draws what the driver's
        # state message names, or it would show slot 0's older picture.
        driver.present(lent, dirty=[])
        time.sleep(0.02)  # polling a real child process, not waiting for time to pass
    telemetry = driver.telemetry()
    assert telemetry.link == "up" and telemetry.extra["reopen_attempts"] == 1
    assert region_and_rest(xvfb) == (solid((40, 160, 220)), None)


def test_slots_run_out_come_back_and_are_never_held_unless_shown(xvfb, driver):
    lent = [driver.lend_buffer() for _ in range(LENT_BUFFERS)]
    assert None not in lent and len({id(buffer) for buffer in lent}) == LENT_BUFFERS
    assert driver.lend_buffer() is None  # all out: the player copies plain frames meanwhile
    driver.return_buffer(lent[0])
    again = driver.lend_buffer()
    assert again is not None and driver.lend_buffer() is None

    plains = [pygame.Surface(SIZE)]  # held the same way: in a list
    assert sys.getrefcount(lent[1]) == sys.getrefcount(plains[0])
    driver.present(lent[1])  # the shown buffer is held by the driver, the one before let go
    assert sys.getrefcount(lent[1]) == sys.getrefcount(plains[0]) + 1
    driver.present(lent[2])
    assert sys.getrefcount(lent[1]) == sys.getrefcount(plains[0])

    del lent[3]  # dropped without being given back (a film torn down): its slot is free
    gc.collect()
    assert driver.lend_buffer() is not None and driver.lend_buffer() is None


def test_the_shown_buffer_is_not_lent_again_until_replaced(xvfb, driver):
    lent = [driver.lend_buffer() for _ in range(LENT_BUFFERS)]
    lent[0].fill((0, 255, 255))
    driver.present(lent[0])
    for buffer in lent:
        driver.return_buffer(buffer)  # the shown one too, against the rules
    others = [driver.lend_buffer() for _ in range(LENT_BUFFERS - 1)]
    assert None not in others
    assert driver.lend_buffer() is None  # the shown slot is still out
    driver.set_brightness(100)
    assert region_and_rest(xvfb)[0] == solid((0, 255, 255))


@pytest.mark.parametrize("alpha", [255, 0])
def test_a_lent_buffer_written_as_bgra_bytes_shows_the_right_colours(xvfb, driver, alpha):
    _, rgb = known_picture()
    lent = driver.lend_buffer()
    write_bgra(lent, rgb, alpha)
    driver.present(lent)
    assert region_and_rest(xvfb) == (rgb, None)
    # The player blits zones into it and takes snapshots out of it: plain copies.
    stamp = pygame.Surface((8, 8))
    stamp.fill((1, 2, 3))
    lent.blit(stamp, (4, 4))
    out = pygame.Surface(SIZE)
    out.blit(lent, (0, 0))
    assert out.get_at((5, 5))[:3] == lent.get_at((5, 5))[:3] == (1, 2, 3)
    assert pygame.image.tobytes(out, "RGB")[:3] == rgb[:3]


def test_a_film_frame_scaled_into_a_lent_buffer_by_swscale_shows_its_colours(xvfb, driver):
    scaler = surface_scaler()
    if scaler is None:
        pytest.skip("PyAV's libswscale cannot be loaded through ctypes here")
    _, rgb = known_picture()
    frame = av.VideoFrame(*SIZE, "rgb24")
    row, pad = SIZE[0] * 3, frame.planes[0].line_size - SIZE[0] * 3
    frame.planes[0].update(b"".join(rgb[y * row:(y + 1) * row] + bytes(pad)
                                    for y in range(SIZE[1])))
    lent = driver.lend_buffer()
    try:
        scaler.scale_into(frame, lent)  # same size: swscale only reorders the bytes
    finally:
        scaler.close()
    driver.present(lent)
    assert region_and_rest(xvfb) == (rgb, None)


def test_close_forgets_lent_buffers_and_a_reopened_driver_copies_them(xvfb, driver):
    lent = lent_filled(driver, (7, 77, 177))
    driver.present(lent)
    driver.close()  # the player stops films first; a buffer kept anyway stays readable
    assert driver.lend_buffer() is None
    assert lent.get_at((3, 3))[:3] == (7, 77, 177)
    driver.open()
    driver.present(lent, dirty=[])  # no longer ours: copied, and whole (new slots)
    assert region_and_rest(xvfb) == (solid((7, 77, 177)), None)
