"""The driver contract: URLs, errors that say what to do, and the emulated panel."""

import pygame
import pytest

from drivers.base import DriverConfigError, DriverUnavailable
from drivers.emulated import EmulatedPanel
from drivers.registry import open_driver
from drivers.urls import parse_size


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


def test_the_panel_copies_only_the_rectangles_a_dirty_hint_names(panel):
    panel.present(filled((255, 0, 0)))
    panel.present(filled((0, 0, 255)), dirty=[pygame.Rect(0, 0, 2, 4)])
    shown = panel.last_frame()
    assert shown.get_at((1, 3))[:3] == (0, 0, 255) and shown.get_at((2, 0))[:3] == (255, 0, 0)
    panel.present(filled((0, 255, 0)), dirty=None)  # None: anything may have changed
    assert panel.last_frame().get_at((7, 3))[:3] == (0, 255, 0)
    assert panel.frames == 3


def test_a_panel_just_opened_takes_the_whole_frame_whatever_the_hint():
    panel = EmulatedPanel((8, 4))
    panel.open()
    panel.present(filled((0, 0, 255)), dirty=[])
    assert panel.last_frame().get_at((7, 3))[:3] == (0, 0, 255)


def test_a_lent_buffer_is_shown_as_it_is_not_copied(panel):
    """What a film decoded into the panel's own buffer needs: present shows that buffer."""
    buffer = panel.lend_buffer()
    buffer.fill((255, 0, 0))
    panel.present(buffer)
    buffer.fill((0, 255, 0), pygame.Rect(0, 0, 4, 4))  # a zone drawn over it, not presented yet
    shown = panel.last_frame()
    assert shown.get_at((0, 0))[:3] == (0, 255, 0) and shown.get_at((7, 3))[:3] == (255, 0, 0)
    # A plain frame after it is taken whole, whatever the hint says changed.
    panel.present(filled((0, 0, 255)), dirty=[pygame.Rect(0, 0, 1, 1)])
    assert panel.last_frame().get_at((7, 3))[:3] == (0, 0, 255)
    assert panel.frames == 2


def test_the_panel_holds_only_the_lent_buffer_it_shows(panel):
    import sys

    shown, spare, plain = panel.lend_buffer(), panel.lend_buffer(), filled((1, 2, 3))
    panel.present(shown)
    assert sys.getrefcount(spare) == sys.getrefcount(plain)  # a ring may draw over it
    assert sys.getrefcount(shown) == sys.getrefcount(plain) + 1  # on show: held
    panel.return_buffer(spare)
    assert panel.lend_buffer() is spare  # returned buffers are lent again
    panel.return_buffer(shown)  # on show: kept lent, never handed out while shown
    assert panel.lend_buffer() is not shown


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


# --- pairs and drivers that are not there yet ------------------------------------------


class FakeControlLink(EmulatedPanel):
    """A control link (hardware we do not have here) that can be unplugged."""

    def __init__(self):
        super().__init__((768, 384))
        self.plugged = True

    def _check(self):
        if not self.plugged:
            raise DriverUnavailable("control port gone; check the RS-232 cable")

    def open(self):
        self._check()
        super().open()

    def set_brightness(self, percent):
        self._check()
        super().set_brightness(percent)

    def set_power(self, on):
        self._check()
        super().set_power(on)

    def show_test_pattern(self, pattern):
        self._check()
        super().show_test_pattern(pattern)


class FakeMissingDevice(EmulatedPanel):
    """A device that is absent until `arrives` is set."""

    arrives = False

    def open(self):
        if not self.arrives:
            raise DriverUnavailable("no such device")
        super().open()


def red_frame(size=(768, 384)):
    frame = pygame.Surface(size)
    frame.fill((255, 0, 0))
    return frame


def test_a_plus_pairs_a_video_path_with_a_control_link():
    from drivers.paired import PairedDriver

    pair = open_driver("emulated://768x384+emulated://768x384")
    assert isinstance(pair, PairedDriver) and pair.size == (768, 384)
    with pytest.raises(DriverConfigError, match="VIDEO\\+CONTROL"):
        open_driver("emulated://1x1+emulated://1x1+emulated://1x1")


def test_the_pair_dims_and_blanks_on_the_card_and_falls_back_to_software():
    from drivers.paired import PairedDriver

    video, control = EmulatedPanel((768, 384)), FakeControlLink()
    pair = PairedDriver(video, control)
    pair.open()
    pair.present(red_frame())
    pair.set_brightness(30)
    assert (control.brightness, video.brightness) == (30, 100)  # the card dims, not the picture
    pair.set_power(False)
    assert control.power is False and video.power is False
    control.plugged = False
    pair.set_brightness(20)  # link down: the picture is dimmed in software instead
    assert video.brightness == 20
    pair.show_test_pattern("white")
    assert video.last_frame().get_at((5, 5))[:3] == (0, 0, 0)  # still blanked
    assert pair.telemetry().extra["control_link"] == "up"  # the fake reports itself


def test_a_missing_device_is_retried_with_backoff_and_gets_the_settings_asked_for():
    from drivers.resilient import KeepTrying
    from signage.clock import FakeClock

    clock = FakeClock()
    device = FakeMissingDevice((64, 32))
    driver = KeepTrying(device, clock, name="tpm2")
    driver.open()
    driver.set_brightness(25)
    driver.present(red_frame((64, 32)))
    assert driver.telemetry().link == "down" and device.frames == 0
    assert driver.telemetry().extra["error"] == "no such device"
    device.arrives = True
    driver.present(red_frame((64, 32)))
    assert device.frames == 0  # not before the backoff has passed
    clock.advance(0.5)
    driver.present(red_frame((64, 32)))
    assert device.frames == 1 and device.brightness == 25
    assert driver.telemetry().link == "up"


def test_a_wrong_driver_url_is_not_retried():
    from drivers.resilient import KeepTrying

    class Misconfigured(EmulatedPanel):
        def open(self):
            raise DriverConfigError("baud must be a number")

    with pytest.raises(DriverConfigError):
        KeepTrying(Misconfigured((8, 8))).open()


def test_the_pair_passes_the_hint_to_the_video_path():
    from drivers.paired import PairedDriver

    video = EmulatedPanel((768, 384))
    pair = PairedDriver(video, FakeControlLink())
    pair.open()
    pair.present(red_frame())
    blue = red_frame()
    blue.fill((0, 0, 255))
    pair.present(blue, dirty=[pygame.Rect(0, 0, 1, 1)])
    shown = video.last_frame()
    assert shown.get_at((0, 0))[:3] == (0, 0, 255)
    assert shown.get_at((9, 9))[:3] == (255, 0, 0)  # only the corner was copied


def test_a_device_that_opens_late_gets_a_whole_frame_first():
    from drivers.resilient import KeepTrying
    from signage.clock import FakeClock

    class HintedDevice(FakeMissingDevice):
        hints: list = []

        def present(self, frame, dirty=None):
            self.hints.append(dirty)
            super().present(frame, dirty)

    clock = FakeClock()
    device = HintedDevice((64, 32))
    driver = KeepTrying(device, clock, name="tpm2")
    driver.open()
    driver.present(red_frame((64, 32)), dirty=None)  # dropped: the device is not there
    device.arrives = True
    clock.advance(0.5)
    driver.present(red_frame((64, 32)), dirty=[])  # "nothing changed" since a dropped frame
    driver.present(red_frame((64, 32)), dirty=[])
    assert device.hints == [None, []]
    assert device.last_frame().get_at((40, 20))[:3] == (255, 0, 0)


def test_a_pair_and_a_device_kept_trying_lend_the_video_paths_buffers():
    """The wall's HDMI + NovaStar pair (and a device that came late) still show a film's
    frames without a copy; a wrapped driver that lends nothing lends nothing."""
    from drivers.paired import PairedDriver
    from drivers.resilient import KeepTrying

    video = EmulatedPanel((768, 384))
    for wrapper in (PairedDriver(video, FakeControlLink()), KeepTrying(video)):
        wrapper.open()
        buffer = wrapper.lend_buffer()
        buffer.fill((0, 255, 0))
        wrapper.present(buffer)
        buffer.fill((0, 0, 255))  # drawn over after the present: the panel shows it
        assert video.last_frame().get_at((5, 5))[:3] == (0, 0, 255)
        wrapper.present(red_frame())
        wrapper.return_buffer(buffer)
        assert video.lend_buffer() is buffer

    class CopiesFrames:  # e.g. a serial sign: it sends every frame, it has no buffer to lend
        size = (8, 8)

    assert KeepTrying(CopiesFrames()).lend_buffer() is None
    PairedDriver(CopiesFrames(), FakeControlLink()).return_buffer(buffer)  # nothing to give back
