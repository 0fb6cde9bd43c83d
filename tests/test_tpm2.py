"""TPM2: the encoder against the protocol summary, pacing arithmetic on a fake clock, the
emulated sign's decoder, and the real driver over a real pty against that sign."""

import logging
import time

import pygame
import pytest

from drivers.base import DriverConfigError, DriverUnavailable
from drivers.framedevices import Tpm2Device
from drivers.pixelmap import PixelMap, level_table
from drivers.ptyport import PtyPort
from drivers.registry import open_driver
from drivers.serialframes import Backoff, FramePacer, max_fps
from drivers.tpm2 import Tpm2Driver, encode_frame, encode_packet, from_url
from drivers.urls import DriverURL

README_FRAME = bytes.fromhex("C9 DA 00 09 FF 00 00 00 FF 00 00 00 FF 36")
SIZE = (16, 8)
MAPPING = "wiring=serpentine&rotate=90&flip=x"


def wait_for(predicate, what: str, timeout: float = 5.0) -> None:
    """Poll a real thread or pty until `predicate()` holds, failing after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def varied_picture(size=SIZE) -> pygame.Surface:
    """No two pixels alike (red is the pixel number), and red and green between them carry
    every byte value, so a misplaced pixel or a mangled byte shows."""
    w, h = size
    data = b"".join(bytes((p % 256, 255 - p % 256, p * 37 % 256)) for p in range(w * h))
    return pygame.image.frombytes(data, size, "RGB")


def picture_bytes(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGB")


def filled(colour, size=SIZE) -> pygame.Surface:
    surface = pygame.Surface(size)
    surface.fill(colour)
    return surface


def present_quietly(driver, frame) -> None:
    try:
        driver.present(frame)
    except DriverUnavailable:
        pass  # the link is down; the player would report it and carry on


@pytest.fixture
def sign(tmp_path):
    """An emulated TPM2 sign (wired as MAPPING) on a real pty with a stable link path."""
    device = Tpm2Device(SIZE, PixelMap.from_options(SIZE, dict(
        option.split("=") for option in MAPPING.split("&"))))
    port = PtyPort(device, link=tmp_path / "ttyTPM2").plug()
    yield port
    port.close()


@pytest.fixture
def driver_for():
    opened = []

    def open_for(port: PtyPort, options: str = MAPPING) -> Tpm2Driver:
        driver = open_driver(f"tpm2://{port.path}?baud=1000000&size=16x8&{options}")
        driver.open()
        opened.append(driver)
        return driver

    yield open_for
    for driver in opened:
        driver.close()


# --- the pure encoder and the URL ---------------------------------------------------------

def test_the_readme_frame_byte_for_byte():
    assert encode_frame(bytes([255, 0, 0, 0, 255, 0, 0, 0, 255])) == README_FRAME


def test_packet_sizes_are_checked():
    assert encode_packet(0xC0, b"\x01") == bytes.fromhex("C9 C0 00 01 01 36")
    with pytest.raises(ValueError, match="must be 1..65535"):
        encode_packet(0xDA, b"")
    with pytest.raises(ValueError, match="65536 bytes"):
        encode_packet(0xDA, bytes(65536))


def test_the_url_configures_the_driver():
    driver = open_driver("tpm2:///dev/ttyACM0?baud=1000000&size=64x32&wiring=serpentine"
                         "&brightness=40&gamma=2.2&fps=10")
    assert isinstance(driver, Tpm2Driver)
    assert (driver.port, driver.size, driver.baud, driver.fps) == ("/dev/ttyACM0", (64, 32),
                                                                   1_000_000, 10.0)
    assert driver.pixelmap.wiring == "serpentine" and driver.brightness == 40
    assert from_url(DriverURL.parse("tpm2:///dev/ttyACM1?size=8x8")).baud == 115200


@pytest.mark.parametrize("url, message", [
    ("tpm2:///dev/ttyACM0", "needs size=WIDTHxHEIGHT"),
    ("tpm2://?size=8x8", "names no serial port"),
    ("tpm2:///dev/ttyACM0?size=8x8&speed=9600", "unknown option speed"),
    ("tpm2:///dev/ttyACM0?size=8x8&baud=fast", "baud='fast' is not a number"),
    ("tpm2:///dev/ttyACM0?size=8x8&brightness=150", "brightness=150 is outside 0..100"),
    ("tpm2:///dev/ttyACM0?size=200x200", "40000 pixels; a tpm2 frame holds at most 21845"),
    ("tpm2:///dev/ttyACM0?size=8x8&wiring=snake", "wiring='snake' is not valid"),
])
def test_bad_urls_say_what_to_fix(url, message):
    with pytest.raises(DriverConfigError, match=message):
        open_driver(url)


def test_a_pyserial_url_can_be_given_as_port():
    driver = open_driver("tpm2://?port=spy:///dev/ttyACM0&size=8x8")
    assert driver.port == "spy:///dev/ttyACM0"


# --- pacing arithmetic, on a fake clock -------------------------------------------------

def test_the_link_limits_the_frame_rate():
    # 64x32 RGB is 6144 bytes + 5 framing = 6149 bytes = 61490 bits at 10 bits a byte.
    assert max_fps(1_000_000, 6149) == pytest.approx(16.263, abs=0.001)
    driver = Tpm2Driver("/dev/null", (64, 32), baud=1_000_000)
    assert driver.bytes_per_frame == 6149 and driver.send_fps == driver.max_fps
    extra = driver.telemetry().extra
    assert (extra["max_fps"], extra["fps"], extra["send_fps"]) == (16.26, None, 16.26)


def test_a_rate_above_the_link_warns_once_and_is_capped(caplog):
    with caplog.at_level(logging.WARNING, logger="drivers.serialframes"):
        driver = Tpm2Driver("/dev/null", (64, 32), baud=1_000_000, fps=30)
        driver.telemetry()
        driver.telemetry()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "fps=30 is more than the link carries (16.3 fps" in warnings[0]
    extra = driver.telemetry().extra
    assert (extra["fps"], extra["send_fps"], extra["max_fps"]) == (30, 16.26, 16.26)


def test_a_rate_the_link_carries_is_kept(caplog):
    with caplog.at_level(logging.WARNING):
        driver = Tpm2Driver("/dev/null", (64, 32), baud=1_000_000, fps=10)
    assert driver.send_fps == 10 and caplog.records == []


def test_the_pacer_sends_the_link_rate_when_the_player_runs_faster(clock):
    link_fps = max_fps(1_000_000, 6149)
    pacer = FramePacer(1 / link_fps)
    start, sent = clock.monotonic(), 0
    for _ in range(600):  # ten seconds of a 60 fps player
        if pacer.wait(clock.monotonic()) == 0:
            pacer.sent(clock.monotonic())
            sent += 1
        clock.advance(1 / 60)
    elapsed = clock.monotonic() - start
    assert abs(sent - link_fps * elapsed) <= 1  # 163 frames, the grid does not drift


def test_a_late_send_keeps_the_grid_and_a_pause_restarts_it(clock):
    pacer = FramePacer(0.1)
    t0 = clock.monotonic()
    pacer.sent(t0)
    assert pacer.wait(t0 + 0.04) == pytest.approx(0.06)
    pacer.sent(t0 + 0.13)  # 30 ms late: the next slot stays on the grid
    assert pacer.wait(t0 + 0.13) == pytest.approx(0.07)
    pacer.sent(t0 + 5.0)  # after a long pause, no burst to catch up
    assert pacer.wait(t0 + 5.0) == pytest.approx(0.1)


def test_reconnect_backoff_doubles_to_thirty_seconds():
    backoff = Backoff()
    assert [backoff.next() for _ in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    backoff.reset()
    assert backoff.next() == 0.5


# --- the emulated sign's decoder ---------------------------------------------------------

def test_the_device_decodes_frames_split_across_reads_with_garbage_between():
    device = Tpm2Device((3, 1))
    first, second = encode_frame(bytes(range(9))), encode_frame(bytes(range(10, 19)))
    garbage = bytes.fromhex("00 C9 FF C9 DA 00 02 01 02 03 55")  # false starts included
    stream = first + garbage + second
    replies = b"".join(device.feed(stream[i:i + 1]) for i in range(len(stream)))
    assert device.frames == 2 and replies == b"\xac\xac"
    assert device.framebuffer() == bytes(range(10, 19)) and device.pixel(2, 0) == (16, 17, 18)
    assert device.garbage == len(garbage)


def test_the_device_can_stay_silent_and_ignores_commands():
    device = Tpm2Device((1, 1), ack=False)
    assert device.feed(encode_packet(0xC0, b"\x0a") + encode_frame(b"\x01\x02\x03")) == b""
    assert (device.frames, device.commands, device.pixel(0, 0)) == (1, 1, (1, 2, 3))


def test_the_device_undoes_the_wiring_and_saves_a_png(tmp_path):
    mapping = PixelMap((3, 2), wiring="serpentine")
    device = Tpm2Device((3, 2), mapping)
    picture = bytes(range(18))
    device.feed(encode_frame(mapping.to_wire(picture)))
    assert device.framebuffer() == picture
    device.save_png(tmp_path / "sign.png")
    saved = pygame.image.load(str(tmp_path / "sign.png"))
    assert saved.get_size() == (3, 2) and saved.get_at((0, 1))[:3] == (9, 10, 11)


# --- the real driver over a real pty ----------------------------------------------------

def test_the_sign_shows_the_presented_frame_pixel_for_pixel(sign, driver_for):
    driver = driver_for(sign)
    frame = varied_picture()
    driver.present(frame)
    frame.fill((0, 0, 0))  # the caller reuses its buffer; the driver kept a copy
    expected = picture_bytes(varied_picture())
    wait_for(lambda: sign.peer.framebuffer() == expected, "the frame on the sign")
    assert sign.peer.garbage == 0


def test_the_wire_carries_the_mapped_order(tmp_path, driver_for):
    raw = Tpm2Device(SIZE)  # a sign that does not undo the wiring shows the wire order
    with PtyPort(raw) as port:
        driver = driver_for(port)
        frame = varied_picture()
        driver.present(frame)
        wire = PixelMap.from_options(SIZE, {"wiring": "serpentine", "rotate": "90",
                                            "flip": "x"}).to_wire(picture_bytes(frame))
        wait_for(lambda: raw.framebuffer() == wire, "the mapped frame on the wire")
        assert wire != picture_bytes(frame)
        wait_for(lambda: driver.telemetry().extra["acks"] >= 1, "the sign's AC answer")


def test_brightness_blank_and_patterns_show_on_the_sign(sign, driver_for):
    driver = driver_for(sign)
    device = sign.peer
    frame = filled((200, 100, 50))
    frame.set_at((0, 0), (10, 20, 30))
    driver.present(frame)
    wait_for(lambda: device.pixel(5, 5) == (200, 100, 50), "the frame")

    driver.set_brightness(50)
    wait_for(lambda: device.pixel(5, 5) == (100, 50, 25), "half brightness")
    assert device.pixel(0, 0) == (5, 10, 15)

    driver.set_power(False)
    wait_for(lambda: device.framebuffer() == bytes(16 * 8 * 3), "a blank sign")
    sent = device.frames
    driver.present(frame)  # the player keeps presenting; the sign stays blank
    wait_for(lambda: device.frames > sent, "a frame while blank")
    assert device.framebuffer() == bytes(16 * 8 * 3)
    driver.set_power(True)
    wait_for(lambda: device.pixel(5, 5) == (100, 50, 25), "the picture back")

    driver.set_brightness(100)
    driver.show_test_pattern("green")
    wait_for(lambda: device.framebuffer() == bytes((0, 255, 0)) * 128, "the green pattern")
    driver.show_test_pattern("corners")  # the corners land where the picture's corners are
    wait_for(lambda: device.pixel(0, 0) == (255, 0, 0), "the corners pattern")
    assert [device.pixel(15, 0), device.pixel(0, 7), device.pixel(15, 7), device.pixel(4, 4)] \
        == [(0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)]
    driver.show_test_pattern(None)
    wait_for(lambda: device.pixel(5, 5) == (200, 100, 50), "the picture after the pattern")
    telemetry = driver.telemetry()
    assert (telemetry.link, telemetry.power, telemetry.test_pattern) == ("up", True, None)


def test_gamma_from_the_url_shows_on_the_sign(sign, driver_for):
    driver = driver_for(sign, "gamma=2.2&brightness=80")
    driver.present(filled((128, 255, 0)))
    expected = tuple(level_table(80, 2.2)[v] for v in (128, 255, 0))
    assert expected == (45, 204, 0)
    wait_for(lambda: sign.peer.pixel(3, 3) == expected, "gamma-corrected, dimmed pixels")


def test_bad_controls_are_refused(sign, driver_for):
    driver = driver_for(sign)
    with pytest.raises(DriverConfigError, match="0..100"):
        driver.set_brightness(120)
    with pytest.raises(DriverConfigError, match="choose one of red, green"):
        driver.show_test_pattern("plaid")
    with pytest.raises(DriverConfigError, match="frame is 8x8, tpm2 sign is 16x8"):
        driver.present(pygame.Surface((8, 8)))


def test_an_unplugged_sign_is_reconnected_on_the_same_path(sign, driver_for):
    driver = driver_for(sign)
    driver.present(filled((255, 0, 0)))
    wait_for(lambda: sign.peer.pixel(0, 0) == (255, 0, 0), "the first frame")

    sign.unplug()
    wait_for(lambda: (present_quietly(driver, filled((0, 0, 255))),
                      driver.telemetry().link)[1] == "down", "the link to go down")
    with pytest.raises(DriverUnavailable, match="not connected"):
        driver.present(filled((0, 0, 255)))
    assert "link lost" in driver.telemetry().extra["error"]

    sign.plug()
    wait_for(lambda: sign.peer.pixel(0, 0) == (0, 0, 255), "the frame after replugging")
    telemetry = driver.telemetry()
    assert telemetry.link == "up" and telemetry.extra["reconnects"] == 1
    driver.present(filled((0, 255, 0)))  # and presenting works again without an error
    wait_for(lambda: sign.peer.pixel(0, 0) == (0, 255, 0), "a new frame")


def test_a_sign_missing_at_start_is_picked_up_when_it_appears(tmp_path, driver_for):
    port = PtyPort(Tpm2Device(SIZE), link=tmp_path / "ttyLATE")
    driver = driver_for(port)  # nothing there yet: open() does not fail
    telemetry = driver.telemetry()
    assert telemetry.link == "down" and "cannot open" in telemetry.extra["error"]
    with pytest.raises(DriverUnavailable):
        driver.present(filled((9, 9, 9)))
    with port:
        wait_for(lambda: port.peer.pixel(0, 0) == (9, 9, 9), "the sign to be picked up")


def test_a_64x32_stream_at_1_mbaud_reaches_the_link_rate(tmp_path):
    """The one timed check: ~3 s of real time at the computed maximum (16.26 fps)."""
    device = Tpm2Device((64, 32))
    with PtyPort(device) as port:
        driver = open_driver(f"tpm2://{port.path}?baud=1000000&size=64x32")
        driver.open()
        frame, presented = filled((1, 2, 3), (64, 32)), 0
        try:
            def run(seconds):
                nonlocal presented
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    driver.present(frame)  # about 100 fps, far faster than the link
                    presented += 1
                    time.sleep(0.01)

            run(0.5)
            frames, start = device.frames, time.monotonic()
            run(2.5)
            rate = (device.frames - frames) / (time.monotonic() - start)
            telemetry = driver.telemetry()
        finally:
            driver.close()
    assert rate == pytest.approx(driver.max_fps, rel=0.10)
    assert telemetry.extra["frames_skipped"] >= presented - telemetry.frames - 1


def test_a_second_driver_on_the_same_port_is_refused_while_the_first_holds_it(sign, driver_for):
    first = driver_for(sign)
    second = driver_for(sign)
    assert first.telemetry().link == "up"
    assert second.telemetry().link == "down"
    with pytest.raises(DriverUnavailable, match="(?i)cannot open .*lock"):
        second.present(pygame.Surface(SIZE))
