"""The driver contract: URLs, errors that say what to do, and the emulated panel."""

import pygame
import pytest

from drivers.base import DriverConfigError, DriverUnavailable, open_driver, parse_size
from drivers.emulated import EmulatedPanel


def test_emulated_url_gives_a_panel_of_that_size():
    driver = open_driver("emulated://768x384")
    assert isinstance(driver, EmulatedPanel) and driver.size == (768, 384)


@pytest.mark.parametrize("url, message", [
    ("768x384", "has no scheme"),
    ("hdmi9://0", "unknown driver 'hdmi9'"),
    ("emulated://wide", "is not WIDTHxHEIGHT"),
    ("emulated://0x10", "1..16384"),
])
def test_bad_urls_say_what_is_wrong(url, message):
    with pytest.raises(DriverConfigError, match=message):
        open_driver(url)


def test_retryable_faults_are_marked():
    assert DriverUnavailable.retryable and not DriverConfigError.retryable


def test_parse_size():
    assert parse_size("64X32") == (64, 32)


@pytest.fixture
def panel():
    panel = EmulatedPanel((8, 4))
    panel.open()
    return panel


def filled(colour, size=(8, 4)):
    surface = pygame.Surface(size)
    surface.fill(colour)
    return surface


def test_the_panel_keeps_a_copy_of_the_presented_frame(panel):
    frame = filled((255, 0, 0))
    panel.present(frame)
    frame.fill((0, 0, 255))  # the caller reuses its buffer
    assert panel.last_frame().get_at((3, 2))[:3] == (255, 0, 0)
    assert panel.frames == 1 and panel.telemetry().frames == 1


def test_a_frame_of_the_wrong_size_is_refused(panel):
    with pytest.raises(DriverConfigError, match="frame is 9x4, panel is 8x4"):
        panel.present(filled((1, 2, 3), (9, 4)))
    assert panel.frames == 0


def test_power_test_pattern_and_brightness(panel):
    panel.present(filled((10, 20, 30)))
    panel.show_test_pattern("green")
    assert panel.last_frame().get_at((0, 0))[:3] == (0, 255, 0)
    panel.show_test_pattern(None)
    panel.set_power(False)
    assert panel.last_frame().get_at((0, 0))[:3] == (0, 0, 0)
    panel.set_power(True)
    assert panel.last_frame().get_at((0, 0))[:3] == (10, 20, 30)
    panel.set_brightness(40)
    telemetry = panel.telemetry()
    assert (telemetry.brightness, telemetry.power, telemetry.link) == (40, True, "up")


def test_bad_control_values_are_refused(panel):
    with pytest.raises(DriverConfigError, match="0..100"):
        panel.set_brightness(120)
    with pytest.raises(DriverConfigError, match="choose one of"):
        panel.show_test_pattern("plaid")
