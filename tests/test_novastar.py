"""The NovaStar driver over real ptys, against the emulated sending card (novastar_device)."""

import threading
import time

import pytest

from drivers import novastar_codec as codec
from drivers.base import DriverConfigError, DriverUnavailable
from drivers.novastar import NovaStarDriver, NovaStarOptions, parse_cards
from drivers.novastar_device import NovaStarDevice
from drivers.novastar_link import NovaStarLinkDown
from drivers.ptyport import PtyPort
from drivers.registry import open_driver
from drivers.urls import DriverURL
from signage.clock import FakeClock

CARDS = ((0, 0), (0, 1), (1, 0), (1, 1))
FAST = "timeout=0.2&retries=1&poll=0"


@pytest.fixture
def fake():
    return FakeClock()


@pytest.fixture
def device(fake):
    return NovaStarDevice(model="MCTRL660 Pro", cards=CARDS, clock=fake)


@pytest.fixture
def pty(device, tmp_path):
    port = PtyPort(device, link=tmp_path / "ttyNOVA").plug()
    yield port
    port.close()


def make_driver(path, clock, query=FAST + "&cards=0:0-1,1:0-1"):
    options = NovaStarOptions.from_url(DriverURL.parse(f"novastar://{path}?{query}"))
    return NovaStarDriver(options, clock=clock)


@pytest.fixture
def driver(pty, fake):
    drv = make_driver(pty.path, fake)
    drv.open()
    yield drv
    drv.close()


def last_request(device) -> codec.Frame:
    return codec.parse_frame(device.received[-1])


def expect_wire(device, build):
    """The last bytes the device received are exactly what the codec builds for that serial."""
    raw = device.received[-1]
    assert raw == build(raw[3]).encode()


# --- URL and options ------------------------------------------------------------------

def test_url_options_are_parsed():
    drv = open_driver("novastar:///dev/ttyUSB9?baud=1048576&timeout=0.5&retries=3&poll=2"
                      "&cards=0:0-2,1:4&dest=1&size=640x320")
    o = drv.options
    assert (o.port, o.baud, o.timeout, o.retries, o.poll, o.destination) == (
        "/dev/ttyUSB9", 1048576, 0.5, 3, 2.0, 1)
    assert o.cards == ((0, 0), (0, 1), (0, 2), (1, 4)) and drv.size == (640, 320)
    assert open_driver("novastar:///dev/ttyUSB0").size == (768, 384)


@pytest.mark.parametrize("url,message", [
    ("novastar://?baud=115200", "needs a serial port"),
    ("novastar:///dev/ttyUSB0?baudrate=9600", "'baudrate' unknown"),
    ("novastar:///dev/ttyUSB0?timeout=soon", "timeout='soon' is not a number"),
    ("novastar:///dev/ttyUSB0?cards=0-3", "PORT:INDEX"),
    ("novastar:///dev/ttyUSB0?size=big", "WIDTHxHEIGHT"),
])
def test_bad_urls_name_the_field(url, message):
    with pytest.raises(DriverConfigError, match=message):
        open_driver(url)


def test_cards_spec():
    assert parse_cards("auto") is None and parse_cards("none") == ()
    assert parse_cards("2:3") == ((2, 3),)


# --- commands round-trip: device state and the bytes on the wire ------------------------

def test_brightness(driver, device):
    driver.set_brightness(50)
    assert device.brightness == 128
    expect_wire(device, lambda s: codec.brightness_request(s, 50))
    assert device.received[-1][:19] == bytes.fromhex(
        "55 AA 00") + device.received[-1][3:4] + bytes.fromhex(
        "FE 00 01 FF FF FF 01 00 01 00 00 02 01 00 80")
    assert driver.telemetry().brightness == 50.2


def test_brightness_out_of_range_sends_nothing(driver, device):
    with pytest.raises(DriverConfigError):
        driver.set_brightness(120)
    assert device.received == []


def test_blackout_on_and_off(driver, device):
    driver.set_power(False)
    assert device.blackout
    expect_wire(device, lambda s: codec.kill_request(s, True))
    driver.set_power(True)
    assert not device.blackout
    assert last_request(device).data == b"\x00"


@pytest.mark.parametrize("name", ["red", "green", "blue", "white", "horizontal", "vertical",
                                  "diagonal", "grey", "ageing"])
def test_test_patterns(driver, device, name):
    driver.show_test_pattern(name)
    assert device.test_pattern == name
    expect_wire(device, lambda s: codec.pattern_request(s, name))
    driver.show_test_pattern(None)
    assert device.test_pattern is None and last_request(device).data == b"\x00"


def test_unknown_pattern_is_refused_before_the_wire(driver, device):
    with pytest.raises(DriverConfigError, match="unknown"):
        driver.show_test_pattern("plaid")
    assert device.received == []


def test_freeze_and_save(driver, device):
    driver.freeze(True)
    assert device.frozen
    driver.set_brightness(20)
    driver.save()
    expect_wire(device, lambda s: codec.save_request(s))
    assert device.saves == 1
    assert all(card.flash[codec.REG_BRIGHTNESS] == 51 for card in device.cards.values())
    driver.freeze(False)
    assert not device.frozen


# --- telemetry -------------------------------------------------------------------------

def test_telemetry_round_trip(driver, device, fake):
    assert driver.telemetry().link == "unknown"  # port open, nothing read yet
    driver.set_brightness(40)
    driver.set_power(False)
    driver.show_test_pattern("blue")
    assert driver.poll_once()
    t = driver.telemetry()
    assert t.link == "up" and t.read_at == fake.monotonic()
    assert (t.brightness, t.power, t.test_pattern) == (40.0, False, "blue")
    assert t.extra["model"] == "MCTRL660 Pro" and t.extra["dvi_signal"] is True
    assert t.extra["frozen"] is False and t.extra["errors"] == 0
    cards = t.extra["cards"]
    assert [(c["port"], c["index"], c["present"]) for c in cards] == [
        (0, 0, True), (0, 1, True), (1, 0, True), (1, 1, True)]
    for card, (port, index) in zip(cards, CARDS):
        expected = device.temperature(device.cards[(port, index)])
        assert card["temperature_c"] == pytest.approx(expected, abs=0.25)
        assert card["voltage_v"] == 5.0 and card["firmware"] == "4.2.0.1"


def test_temperature_drifts_with_time(driver, device, fake):
    driver.poll_once()
    before = driver.telemetry().extra["cards"][0]["temperature_c"]
    fake.advance(150)  # a quarter of the drift period
    driver.poll_once()
    after = driver.telemetry().extra["cards"][0]["temperature_c"]
    assert abs(after - before) >= 1.0


def test_dvi_lost_and_missing_card(driver, device):
    device.dvi_signal = False
    device.cards[(1, 1)].present = False
    status = driver.read_status()
    assert status["dvi_signal"] is False
    missing = status["cards"][3]
    assert (missing["present"], missing["temperature_c"], missing["voltage_v"]) == (
        False, None, None)
    assert status["cards"][2]["present"] and status["link"] == "up"


def test_frames_are_only_counted(driver):
    driver.present(object())
    driver.present(object())
    assert driver.telemetry().frames == 2


def test_auto_probe_finds_the_cards_and_keeps_watching_them(pty, device, fake):
    drv = make_driver(pty.path, fake, FAST)  # cards=auto
    drv.open()
    try:
        assert [(c["port"], c["index"]) for c in drv.read_status()["cards"]] == list(CARDS)
        device.cards[(0, 1)].present = False
        cards = drv.read_status()["cards"]
        assert [c["present"] for c in cards] == [True, False, True, True]
    finally:
        drv.close()


def test_poller_is_due_on_its_interval(pty, device, fake):
    drv = make_driver(pty.path, fake, "timeout=0.2&retries=1&poll=5&cards=none")
    drv.open_link()  # no thread: the test drives tick() with the fake clock
    try:
        assert drv.tick()
        sent = len(device.received)
        fake.advance(4.9)
        assert not drv.tick() and len(device.received) == sent
        fake.advance(0.1)
        assert drv.tick() and len(device.received) > sent
    finally:
        drv.close()


def test_poller_thread_refreshes_telemetry_while_commands_run(pty, device):
    drv = make_driver(pty.path, time, "timeout=0.5&retries=1&poll=0.01&cards=0:0-1,1:0-1")
    drv.open()
    try:
        for percent in range(0, 101, 5):  # races the poller for the port
            drv.set_brightness(percent)
        deadline = time.monotonic() + 5
        while drv.telemetry().read_at is None and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        t = drv.telemetry()
        assert t.link == "up" and t.extra["errors"] == 0 and device.brightness == 255
    finally:
        drv.close()


# --- faults ----------------------------------------------------------------------------

def test_no_answer_times_out_after_retries_then_recovers(driver, device):
    device.fault = "no-answer"
    with pytest.raises(codec.NovaStarTimeout, match="did not answer.*after 2 tries") as caught:
        driver.set_brightness(30)
    assert isinstance(caught.value, DriverUnavailable) and caught.value.retryable
    assert len(device.received) == 2  # the first try and one retry
    assert not driver.poll_once()
    t = driver.telemetry()
    assert t.link == "down" and "did not answer" in t.extra["last_error"]
    device.fault = None
    assert driver.poll_once() and driver.telemetry().link == "up"
    driver.set_brightness(30)
    assert device.brightness == 77


def test_bad_checksum_is_retried_then_reported(driver, device):
    device.fault = "bad-checksum"
    with pytest.raises(codec.NovaStarGarbled, match="bad checksum"):
        driver.set_power(False)
    assert len(device.received) == 2
    assert not driver.poll_once() and driver.telemetry().link == "down"
    device.fault = None
    driver.set_power(True)
    assert not device.blackout and driver.poll_once()
    assert driver.telemetry().link == "up"


def test_ack01_names_the_cards_and_is_not_retried(driver, device):
    device.fault = "ack01"
    with pytest.raises(codec.CardNotAnswering, match="receiving card all ports all cards"):
        driver.show_test_pattern("red")
    assert len(device.received) == 1 and device.test_pattern is None
    status = driver.read_status()  # the sending card itself still answers
    assert status["link"] == "up" and not any(c["present"] for c in status["cards"])
    device.fault = None
    assert all(c["present"] for c in driver.read_status()["cards"])
    driver.show_test_pattern("red")
    assert device.test_pattern == "red"


def test_garbage_before_answers_is_skipped(driver, device, pty):
    device.fault = "garbage"
    pty.send(b"\xaa\x55\x00\x07junk")  # and some unsolicited noise
    driver.set_brightness(100)
    assert device.brightness == 255
    assert driver.poll_once() and driver.telemetry().link == "up"
    assert driver.telemetry().extra["model"] == "MCTRL660 Pro"


def test_unplugged_port_is_reopened_with_backoff(pty, device, fake):
    drv = make_driver(pty.path, fake, "timeout=0.2&retries=1&poll=5&cards=0:0")
    drv.open_link()
    try:
        assert drv.tick() and drv.telemetry().link == "up"
        pty.unplug()
        with pytest.raises(NovaStarLinkDown, match="reopening with backoff") as caught:
            drv.set_brightness(10)
        assert isinstance(caught.value, DriverUnavailable)
        assert drv.telemetry().link == "down"
        pty.plug()  # a new pty behind the same link path
        with pytest.raises(NovaStarLinkDown, match="next reopen attempt in 0.5 s"):
            drv.set_brightness(10)  # refused at once: no I/O until the backoff is over
        assert not drv.tick()  # neither the poll interval nor the backoff is over
        fake.advance(0.5)
        assert drv.tick()  # the reopen is due before the next poll would be
        assert drv.telemetry().link == "up"
        drv.set_brightness(10)
        assert device.brightness == 26
    finally:
        drv.close()


def test_closed_driver_refuses_commands_without_reopening(pty, device, fake):
    drv = make_driver(pty.path, fake)
    drv.open()
    drv.close()
    with pytest.raises(NovaStarLinkDown, match="closed"):
        drv.set_brightness(10)
    assert device.received == [] and drv.telemetry().link == "down"


def test_missing_port_backs_off_doubling(tmp_path, fake):
    drv = make_driver(tmp_path / "ttyNONE", fake)
    drv.open()  # does not raise: the player keeps running and the status says why
    try:
        t = drv.telemetry()
        assert t.link == "down" and "ttyNONE" in t.extra["last_error"]
        for wait in (0.5, 1.0, 2.0):
            with pytest.raises(NovaStarLinkDown, match=f"next reopen attempt in {wait} s"):
                drv.read_status()
            fake.advance(wait)
            with pytest.raises(NovaStarLinkDown, match="cannot be opened"):
                drv.read_status()
    finally:
        drv.close()


# --- the emulated device on its own -----------------------------------------------------

def test_device_answers_requests_split_and_joined(device):
    one, two = codec.model_request(1).encode(), codec.dvi_request(2).encode()
    stream = one + two
    replies = b"".join(device.feed(stream[i:i + 3]) for i in range(0, len(stream), 3))
    frames = codec.Packetizer().feed(replies)
    assert [(f.serial, f.data) for f in frames] == [(1, b"\x07\x11"), (2, b"\x01")]


def test_device_answers_a_corrupted_request_with_ack02(device):
    raw = bytearray(codec.kill_request(9, True).encode())
    raw[-2] ^= 1
    (frame,) = codec.Packetizer().feed(device.feed(bytes(raw)))
    assert frame.ack == 0x02 and not device.blackout


def test_device_garbage_fault_puts_a_false_head_before_each_answer(device):
    device.fault = "garbage"
    packetizer = codec.Packetizer()
    reply = device.feed(codec.dvi_request(5).encode())
    assert reply.index(codec.RESPONSE_HEAD) < reply.rindex(codec.RESPONSE_HEAD)
    (frame,) = packetizer.feed(reply)
    assert frame.serial == 5 and packetizer.skipped == reply.rindex(codec.RESPONSE_HEAD)


def test_device_model_is_configurable():
    dev = NovaStarDevice(model="MCTRL300")
    (frame,) = codec.Packetizer().feed(dev.feed(codec.model_request(3).encode()))
    assert codec.decode_model(frame.data) == "MCTRL300"
    with pytest.raises(ValueError, match="MCTRL660 Pro"):
        NovaStarDevice(model="MCTRL9000")
