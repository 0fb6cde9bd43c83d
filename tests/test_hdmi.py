"""The HDMI driver: URLs, and under a real Xvfb, the picture at the capture region of the
screen, controls, and a display that goes away and comes back.

The test process keeps SDL_VIDEODRIVER=dummy; the driver's window process is given
SDL_VIDEODRIVER=x11 and the Xvfb's DISPLAY, and the screen is read back by screenshot.
"""

import os
import time

import pygame
import pytest

from drivers.base import DriverConfigError
from drivers.hdmi import Backoff, HdmiDriver
from drivers.hdmi_window import HdmiConfig, pixel_format
from drivers.registry import open_driver
from signage.clock import FakeClock
from signage.content.models import Playlist
from tests.conftest import add_image, player_on
from signage.devtools.xvfb import Xvfb, xvfb_missing

SCREEN = (320, 200)
REGION = (40, 30, 64, 32)

# --- URLs and pure parts ----------------------------------------------------------


def test_url_gives_a_panel_the_size_of_the_region():
    driver = open_driver("hdmi://1?region=8,16,768,384&mode=1920x1080")
    assert isinstance(driver, HdmiDriver) and driver.size == (768, 384)
    assert driver.config == HdmiConfig(1, (8, 16, 768, 384), (1920, 1080))
    assert open_driver("hdmi://?region=0,0,64,32").config.display == 0


@pytest.mark.parametrize("url, message", [
    ("hdmi://0", "needs region=x,y,w,h"),
    ("hdmi://0?region=1,2,3", "is not x,y,width,height"),
    ("hdmi://0?region=0,0,0,32", "each side 1..16384"),
    ("hdmi://left?region=0,0,64,32", "not a display number"),
    ("hdmi://0?region=0,0,64,32&mode=big", "mode 'big' is not WIDTHxHEIGHT"),
    ("hdmi://0?region=1900,0,64,32&mode=1920x1080", "does not fit the 1920x1080 output"),
])
def test_bad_urls_say_what_to_fix(url, message):
    with pytest.raises(DriverConfigError, match=message):
        open_driver(url)


def test_backoff_doubles_from_half_a_second_to_thirty():
    backoff, waits = Backoff(), []
    for _ in range(9):
        backoff.failed(100.0)
        waits.append(backoff.due - 100.0)
    assert waits == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    backoff.reset()
    backoff.failed(0.0)
    assert backoff.due == 0.5


def test_pixel_format_names_the_default_surface():
    assert pixel_format(pygame.Surface((2, 2))) == "XRGB8888"
    assert pixel_format(pygame.Surface((2, 2), pygame.SRCALPHA)) == "ARGB8888"


# --- under Xvfb -------------------------------------------------------------------


@pytest.fixture
def xvfb():
    reason = xvfb_missing()
    if reason:
        if os.environ.get("CI"):  # CI runs the install script, so a missing Xvfb is a bug
            pytest.fail(reason)
        pytest.skip(reason)
    server = Xvfb(SCREEN).start()
    yield server
    server.stop()


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def driver(xvfb, fake_clock):
    driver = HdmiDriver(HdmiConfig(0, REGION, None), clock=fake_clock,
                        env={"SDL_VIDEODRIVER": "x11", "DISPLAY": xvfb.display})
    driver.open()
    yield driver
    driver.close()


def known_picture(size=REGION[2:]) -> tuple[pygame.Surface, bytes]:
    """A frame whose every pixel differs from its neighbours, and its RGB bytes."""
    w, h = size
    rgb = bytes(c for y in range(h) for x in range(w)
                for c in ((x * 4) % 256, (y * 8) % 256, (x * y * 3 + 17) % 256))
    frame = pygame.Surface(size)
    frame.blit(pygame.image.frombytes(rgb, size, "RGB"), (0, 0))
    return frame, rgb


def region_and_rest(xvfb: Xvfb):
    """(RGB bytes inside the region, bounding box of anything non-black outside it)."""
    shot = xvfb.screenshot()
    x, y, w, h = REGION
    inside = shot.crop((x, y, x + w, y + h)).tobytes()
    shot.paste((0, 0, 0), (x, y, x + w, y + h))
    return inside, shot.getbbox()


def test_the_frame_appears_at_the_capture_region_and_the_rest_is_black(xvfb, driver):
    frame, rgb = known_picture()
    before = pygame.image.tobytes(frame, "RGB")
    driver.present(frame)
    inside, rest = region_and_rest(xvfb)
    assert inside == rgb
    assert rest is None
    assert pygame.image.tobytes(frame, "RGB") == before  # the caller's frame is untouched
    telemetry = driver.telemetry()
    assert telemetry.link == "up" and telemetry.frames == 1
    assert telemetry.extra["mode"] == list(SCREEN)
    assert telemetry.extra["region"] == list(REGION)
    assert telemetry.extra["video_driver"] == "x11"
    assert telemetry.extra["pixel_format"] == "XRGB8888"
    assert isinstance(telemetry.extra["vsync"], bool)


def test_the_caller_may_reuse_its_buffer_after_present(xvfb, driver):
    frame, rgb = known_picture()
    driver.present(frame)
    frame.fill((255, 255, 255))  # drawn into, not presented: the screen must not change
    driver.set_brightness(100)  # a control change redraws from the driver's own copy
    assert region_and_rest(xvfb)[0] == rgb


def test_patterns_power_and_brightness_show_in_the_region(xvfb, driver):
    frame, rgb = known_picture()
    driver.present(frame)
    x, y = REGION[:2]

    driver.show_test_pattern("red")
    assert xvfb.screenshot().getpixel((x + 5, y + 5)) == (255, 0, 0)
    assert region_and_rest(xvfb)[1] is None
    driver.show_test_pattern("white")
    assert region_and_rest(xvfb)[0] == b"\xff" * len(rgb)
    driver.show_test_pattern(None)
    assert region_and_rest(xvfb)[0] == rgb

    driver.set_power(False)
    assert region_and_rest(xvfb) == (bytes(len(rgb)), None)
    driver.set_power(True)
    assert region_and_rest(xvfb)[0] == rgb

    solid = pygame.Surface(REGION[2:])
    solid.fill((200, 100, 50))
    driver.set_brightness(50)
    driver.present(solid)
    dimmed = xvfb.screenshot().getpixel((x + 5, y + 5))
    assert all(abs(got - full / 2) <= 1 for got, full in zip(dimmed, (200, 100, 50)))
    assert pygame.image.tobytes(solid, "RGB")[:3] == bytes((200, 100, 50))
    telemetry = driver.telemetry()
    assert (telemetry.brightness, telemetry.power, telemetry.test_pattern) == (50, True, None)


def present_until(driver, frame, done, timeout=20.0):
    """Present frames (as the player loop does) until `done(telemetry)` or the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        driver.present(frame)
        telemetry = driver.telemetry()
        if done(telemetry):
            return telemetry
        time.sleep(0.02)  # polling a real child process, not waiting for time to pass
    raise AssertionError(f"gave up waiting; telemetry: {driver.telemetry()}")


def test_a_display_that_goes_away_is_retried_with_backoff_and_comes_back(xvfb, driver, fake_clock):
    frame, rgb = known_picture()
    driver.present(frame)
    xvfb.stop()  # the X server dies under the window

    driver.present(frame)  # nothing fatal reaches the loop
    telemetry = driver.telemetry()
    assert telemetry.link == "down"
    assert "X server" in telemetry.extra["last_error"]
    assert telemetry.extra["retry_in_s"] == 0.5
    driver.present(frame)
    assert driver.telemetry().extra["reopen_attempts"] == 0  # not before the backoff is due

    fake_clock.advance(0.5)  # first attempt, while the display is still gone: it fails
    telemetry = present_until(driver, frame, lambda t: t.extra["retry_in_s"] is not None)
    assert telemetry.link == "down" and telemetry.extra["reopen_attempts"] == 1
    assert telemetry.extra["retry_in_s"] == 1.0
    assert "cannot open display 0" in telemetry.extra["last_error"]

    number = xvfb.number
    xvfb.start()  # a new server on the same display number
    assert xvfb.number == number
    fake_clock.advance(1.0)
    telemetry = present_until(driver, frame, lambda t: t.link == "up")
    assert telemetry.extra["reopen_attempts"] == 2
    assert region_and_rest(xvfb)[0] == rgb


def test_a_region_outside_the_screen_is_refused_at_open(xvfb, fake_clock):
    driver = HdmiDriver(HdmiConfig(0, (300, 190, 64, 32), None), clock=fake_clock,
                        env={"SDL_VIDEODRIVER": "x11", "DISPLAY": xvfb.display})
    with pytest.raises(DriverConfigError, match="does not fit the 320x200 output of display 0"):
        driver.open()
    driver.close()


def test_a_display_not_there_at_start_is_waited_for(xvfb, fake_clock):
    xvfb.stop()  # e.g. the player starts before X at boot
    driver = HdmiDriver(HdmiConfig(0, REGION, None), clock=fake_clock,
                        env={"SDL_VIDEODRIVER": "x11", "DISPLAY": xvfb.display})
    try:
        driver.open()  # does not raise: the player must start and keep running
        telemetry = driver.telemetry()
        assert telemetry.link == "down"
        assert "cannot open display 0" in telemetry.extra["last_error"]
        xvfb.start()
        fake_clock.advance(0.5)
        frame, rgb = known_picture()
        assert present_until(driver, frame, lambda t: t.link == "up").extra["reopen_attempts"] == 1
        assert region_and_rest(xvfb) == (rgb, None)
    finally:
        driver.close()


def test_a_dirty_hint_updates_only_those_rectangles(xvfb, driver):
    frame, rgb = known_picture()
    driver.present(frame)
    frame.fill((9, 9, 9))  # everything changes, but the hint names one rectangle only
    driver.present(frame, dirty=[pygame.Rect(2, 3, 4, 5)])
    shot = xvfb.screenshot()
    x, y = REGION[:2]
    assert shot.getpixel((x + 2, y + 3)) == shot.getpixel((x + 5, y + 7)) == (9, 9, 9)
    width = REGION[2]
    untouched = [(0, 0), (6, 3), (2, 8), (63, 31)]
    for px, py in untouched:
        offset = 3 * (py * width + px)
        assert shot.getpixel((x + px, y + py)) == tuple(rgb[offset:offset + 3])
    driver.present(frame, dirty=None)
    assert region_and_rest(xvfb)[0] == bytes((9,)) * len(rgb)


# --- the player on the HDMI window ------------------------------------------------------

PLAYER_REGION = (16, 8, 256, 128)


def cards_layout(store) -> Playlist:
    """Two photo cards crossfading (every 1 s, 0.5 s fades), text beside them, a ticker."""
    from signage.devtools.scenes import _picture

    cards = [add_image(store, _picture((128, 96), seed, tint))
             for seed, tint in ((2, "red"), (3, "blue"))]
    text = {"vi": "Cửa khẩu Thanh Thủy", "en": "Thanh Thuy Border Gate", "zh": "清水口岸"}
    return Playlist.model_validate({
        "name": "cards", "transition": {"kind": "crossfade", "duration": 0.5}, "layout": [
            {"zone": "cards", "rect": ["0%", "0%", "50%", "75%"], "items": [
                {"kind": "image", "asset": card, "fit": "cover", "duration": 1} for card in cards]},
            {"zone": "text", "rect": ["50%", "0%", "50%", "75%"], "items": [
                {"kind": "message", "text": text, "duration": 3600}]},
            {"zone": "ticker", "rect": ["0%", "75%", "100%", "25%"], "items": [
                {"kind": "ticker", "text": text, "speed": 80}]}]})


def region_pixels(xvfb, region) -> bytes:
    x, y, w, h = region
    return xvfb.screenshot().crop((x, y, x + w, y + h)).tobytes()


def test_the_screen_equals_the_panel_frame_through_transitions_and_a_display_restart(
        xvfb, clock, settings, store, fonts):
    driver = HdmiDriver(HdmiConfig(0, PLAYER_REGION, None), clock=clock,
                        env={"SDL_VIDEODRIVER": "x11", "DISPLAY": xvfb.display})
    driver.open()
    player = player_on(settings, store, clock, driver, fonts)
    store.content.publish_playlist(cards_layout(store), "test")
    shown: set[bytes] = set()

    def play_and_compare(seconds: float) -> None:
        for _ in range(round(seconds * 30)):
            frame = pygame.image.tobytes(player.step(), "RGB")
            assert region_pixels(xvfb, PLAYER_REGION) == frame, f"frame {player.frames}"
            shown.add(frame)
            clock.advance(1 / 30)

    try:
        play_and_compare(2.2)  # the fade-in from standby, a card crossfade, the ticker
        xvfb.stop()
        for _ in range(3):  # frames go on while the display is gone
            player.step()
            clock.advance(1 / 30)
        assert driver.telemetry().link == "down"
        xvfb.start()
        clock.advance(0.5)  # the first retry is due
        deadline = time.monotonic() + 20
        while driver.telemetry().link != "up" and time.monotonic() < deadline:
            player.step()
            time.sleep(0.02)  # polling a real child process; the fake clock stands still
        play_and_compare(1.5)  # another crossfade, on the new server
    finally:
        player.compositor.close()
        driver.close()
    assert len(shown) > 60  # every frame differed (ticker, fades): none was skipped
    assert driver.telemetry().extra["updates"] > 0
