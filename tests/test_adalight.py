"""Adalight: the encoder against the protocol summary, the emulated sign's decoder, and the
real driver over a real pty against that sign (announcements drained, keepalive resends)."""

import threading

import pygame
import pytest

from drivers.adalight import AdalightDriver, HELLO, encode_frame, encode_header
from drivers.base import DriverConfigError
from drivers.framedevices import AdalightDevice
from drivers.pixelmap import PixelMap
from drivers.ptyport import PtyPort
from drivers.registry import open_driver
from tests.test_tpm2 import picture_bytes, varied_picture, wait_for

SIZE = (16, 8)
MAPPING = {"wiring": "serpentine", "start": "bottom-left"}


@pytest.fixture
def sign():
    port = PtyPort(AdalightDevice(SIZE, PixelMap.from_options(SIZE, MAPPING))).plug()
    yield port
    port.close()


@pytest.fixture
def driver_for():
    opened = []

    def open_for(port: PtyPort, options: str = "") -> AdalightDriver:
        driver = open_driver(f"adalight://{port.path}?size=16x8&wiring=serpentine"
                             f"&start=bottom-left{options}")
        driver.open()
        opened.append(driver)
        return driver

    yield open_for
    for driver in opened:
        driver.close()


@pytest.mark.parametrize("leds, header", [
    (1, "41 64 61 00 00 55"),
    (256, "41 64 61 00 FF AA"),
    (300, "41 64 61 01 2B 7F"),
])
def test_headers_from_the_readme(leds, header):
    assert encode_header(leds) == bytes.fromhex(header)


def test_the_readme_frame_byte_for_byte():
    assert encode_frame(b"\xff\x00\x00") == bytes.fromhex("41 64 61 00 00 55 FF 00 00")


def test_led_counts_outside_the_header_are_refused():
    with pytest.raises(ValueError, match="must be 1..65536"):
        encode_header(0)
    assert encode_header(65536) == bytes.fromhex("41 64 61 FF FF 55")


def test_the_url_defaults_to_115200_baud_and_needs_a_size():
    driver = open_driver("adalight:///dev/ttyUSB1?size=32x16")
    assert isinstance(driver, AdalightDriver) and driver.baud == 115200
    # 512 LEDs: 1536 + 6 header bytes = 15420 bits a frame at 115200 baud.
    assert driver.bytes_per_frame == 1542 and driver.max_fps == pytest.approx(7.47, abs=0.01)
    with pytest.raises(DriverConfigError, match="adalight URL needs size=WIDTHxHEIGHT"):
        open_driver("adalight:///dev/ttyUSB1")


def test_the_device_decodes_split_frames_and_skips_garbage():
    device = AdalightDevice((2, 1))
    first, second = encode_frame(bytes(range(6))), encode_frame(bytes(range(20, 26)))
    garbage = b"noise Ada\x00\x00\x00 more"  # an "Ada" whose header check fails
    stream = first + garbage + second
    for i in range(0, len(stream), 5):
        assert device.feed(stream[i:i + 5]) == b""
    assert device.frames == 2 and device.framebuffer() == bytes(range(20, 26))
    assert device.garbage == len(garbage)


def test_a_frame_for_fewer_leds_leaves_the_rest_dark():
    device = AdalightDevice((2, 2))
    device.feed(encode_frame(b"\x01\x02\x03" * 4))
    device.feed(encode_frame(b"\x09\x09\x09"))
    assert [device.pixel(0, 0), device.pixel(1, 1)] == [(9, 9, 9), (0, 0, 0)]


def test_the_sign_shows_the_presented_frame_pixel_for_pixel(sign, driver_for):
    driver = driver_for(sign)
    frame = varied_picture()
    driver.present(frame)
    wait_for(lambda: sign.peer.framebuffer() == picture_bytes(frame), "the frame on the sign")
    assert sign.peer.garbage == 0


def test_blank_and_a_pattern_show_on_the_sign(sign, driver_for):
    driver = driver_for(sign)
    driver.present(varied_picture())
    driver.set_power(False)
    wait_for(lambda: sign.peer.framebuffer() == bytes(16 * 8 * 3), "a blank sign")
    driver.set_power(True)
    driver.show_test_pattern("blue")
    wait_for(lambda: sign.peer.framebuffer() == b"\x00\x00\xff" * 128, "the blue pattern")


def test_announcements_are_drained_so_the_sign_never_blocks(sign, driver_for):
    driver = driver_for(sign)
    driver.present(varied_picture())
    count = 50_000  # 200 kB, far more than a pty buffers: it only gets through if read

    def announce():
        for _ in range(count // 1000):
            sign.send(HELLO * 1000)

    announcer = threading.Thread(target=announce, daemon=True)
    announcer.start()
    wait_for(lambda: not announcer.is_alive(), "the sign to get its announcements out", 10)
    wait_for(lambda: driver.telemetry().extra["hellos"] == count, "every announcement read")
    assert driver.telemetry().extra["bytes_received"] == count * len(HELLO)
    driver.show_test_pattern("white")  # and frames still go out
    wait_for(lambda: sign.peer.pixel(7, 7) == (255, 255, 255), "a frame after the flood")


def test_the_picture_is_resent_so_the_sign_does_not_time_out(sign, driver_for):
    driver = driver_for(sign, "&keepalive=0.1")
    driver.present(varied_picture())
    wait_for(lambda: sign.peer.frames >= 1, "the first frame")
    wait_for(lambda: sign.peer.frames >= 4, "resends of the same picture")
    assert sign.peer.framebuffer() == picture_bytes(varied_picture())
