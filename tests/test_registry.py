"""The driver registry: one entry per family, and a family added in a test (a strip of
lights nobody owns) is seen everywhere a family is: URLs, panel size, test patterns in the
API, `signage panel` and `signage emulate-panel`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import httpx
import pytest
import serial

from drivers import hdmi_window, novastar_codec, pattern_pictures
from drivers.base import DriverConfigError, PanelTelemetry
from drivers.emulated import EmulatedPanel
from drivers.paired import PairedDriver
from drivers.registry import (NOVASTAR_PATTERNS, SERIAL_PATTERNS, SOFTWARE_PATTERNS, Family,
                              families, family, open_driver, panel_size, patterns_for,
                              registered, size_option)
from drivers.urls import DriverURL, Options
from signage.api import create_app
from tests.conftest import REPO
from tests.test_api import bearer, serve
from tests.test_player_schedule import api, clock, store  # noqa: F401  (fixtures)

# --- the built-in families --------------------------------------------------------------


def test_each_driver_draws_exactly_the_patterns_its_family_names():
    assert set(hdmi_window.TEST_PATTERNS) == set(family("hdmi").patterns) == set(SOFTWARE_PATTERNS)
    assert set(novastar_codec.TEST_PATTERNS) == set(family("novastar").patterns)
    for name in family("tpm2").patterns + family("novastar").patterns:
        assert len(pattern_pictures.pattern_rgb(name, (4, 2))) == 4 * 2 * 3
    panel = EmulatedPanel((4, 2))
    for name in family("emulated").patterns:
        panel.show_test_pattern(name)
    with pytest.raises(DriverConfigError, match="choose one of"):
        panel.show_test_pattern("corners")


@pytest.mark.parametrize("url, expected", [
    ("emulated://768x384", SOFTWARE_PATTERNS),
    ("hdmi://0?region=0,0,1920,1080", SOFTWARE_PATTERNS),
    ("tpm2:///dev/ttyUSB0?size=64x32", SERIAL_PATTERNS),
    ("adalight:///dev/ttyACM0?size=16x8", SERIAL_PATTERNS),
    ("novastar:///dev/ttyUSB0", NOVASTAR_PATTERNS),
    ("hdmi://0?region=0,0,1920,1080+novastar:///dev/ttyUSB0", NOVASTAR_PATTERNS),  # the card's
    ("bogus://x", ()),
])
def test_a_driver_url_tells_which_patterns_the_wall_shows(url, expected):
    assert patterns_for(url) == expected


@pytest.mark.parametrize("url, size", [
    ("emulated://384x192", (384, 192)),
    ("emulated://", (768, 384)),
    ("tpm2:///dev/ttyACM0?baud=1000000&size=64x32", (64, 32)),
    ("hdmi://0?region=0,0,1920,1080+novastar:///dev/ttyUSB0", (1920, 1080)),
    ("novastar:///dev/ttyUSB0?baud=115200", (768, 384)),
])
def test_the_panel_size_comes_from_the_driver_url(url, size):
    assert panel_size(url) == size


def test_the_registry_loads_no_device_code():
    """The API and the console read sizes and patterns here: no pygame, no pyserial."""
    code = ("import sys; from drivers import registry; "
            "registry.panel_size('hdmi://0?region=0,0,64,32+novastar:///dev/x'); "
            "registry.patterns_for('tpm2:///dev/x?size=8x8'); "
            "print([m for m in ('pygame', 'serial') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_one_option_parser_names_the_field_for_every_family():
    url = DriverURL.parse("x:///dev/y?speed=9&size=8x8")
    with pytest.raises(DriverConfigError, match="x URL: unknown option speed"):
        Options(url, ("size",))
    options = Options(url)
    assert options.size() == (8, 8) and options.number("baud", 115200, 50, 10**6, int) == 115200
    with pytest.raises(DriverConfigError, match="x URL option speed=9 is outside 10..20"):
        options.number("speed", None, 10, 20)


# --- a family added by a test -----------------------------------------------------------

STRIP_PATTERNS = ("stripes", "red")


class FakeStripDriver:
    """A strip of lights that takes one text line per command over a serial port."""

    def __init__(self, port: str, size: tuple[int, int]):
        self.port, self.size = port, size
        self.frames = 0
        self._serial = None

    def open(self) -> None:
        self.open_link()

    def open_link(self) -> bool:
        self._serial = serial.serial_for_url(self.port, timeout=5)
        return True

    def present(self, frame, dirty=None) -> None:
        self.frames += 1

    def set_brightness(self, percent: float) -> None:
        self._say(f"brightness {percent:g}")

    def set_power(self, on: bool) -> None:
        self._say(f"power {'on' if on else 'off'}")

    def show_test_pattern(self, pattern: str | None) -> None:
        if pattern is not None and pattern not in STRIP_PATTERNS:
            raise DriverConfigError(f"test pattern {pattern!r} unknown; choose one of "
                                    f"{', '.join(STRIP_PATTERNS)}")
        self._say(f"pattern {pattern or 'off'}")

    def read_status(self) -> dict:
        return json.loads(self._say("status"))

    def save(self) -> None:
        self._say("save")

    def telemetry(self) -> PanelTelemetry:
        return PanelTelemetry(frames=self.frames)

    def close(self) -> None:
        if self._serial is not None:
            self._serial.close()

    def _say(self, line: str) -> str:
        self._serial.write(line.encode() + b"\n")
        return self._serial.readline().decode().strip()


class FakeStripSign:
    """The strip's emulated peer: keeps what each line told it and answers it."""

    def __init__(self, size: tuple[int, int]):
        self.size = size
        self.told: dict[str, str] = {}
        self._buffer = b""

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        replies = []
        while b"\n" in self._buffer:
            line, _, self._buffer = self._buffer.partition(b"\n")
            verb, _, value = line.decode().partition(" ")
            if verb != "status":
                self.told[verb] = value
            replies.append(json.dumps(self.state()) if verb == "status" else "ok")
        return "".join(reply + "\n" for reply in replies).encode()

    def state(self) -> dict:
        return {"size": list(self.size), **self.told}


def _open_strip(url: DriverURL) -> FakeStripDriver:
    Options(url, ("size",))
    return FakeStripDriver(url.target, size_option(url))


STRIP = Family("strip", _open_strip, size_option, STRIP_PATTERNS,
               peer=lambda size, options: FakeStripSign(size), control_link=True)
# `signage ...` in a child process that knows the strip family, as a plug-in would add it.
WITH_STRIP = ("import sys\nfrom drivers.registry import registered\n"
              "from signage.cli.main import main\nfrom tests.test_registry import STRIP\n"
              "with registered(STRIP):\n    sys.exit(main(sys.argv[1:]))\n")


@pytest.fixture
def strip():
    with registered(STRIP):
        yield STRIP


def test_a_registered_family_opens_by_url_alone_and_pairs(strip):
    driver = open_driver("strip:///dev/ttyUSB7?size=32x8")
    assert isinstance(driver, FakeStripDriver) and driver.size == (32, 8)
    pair = open_driver("emulated://32x8+strip:///dev/ttyUSB7?size=32x8")
    assert isinstance(pair, PairedDriver) and isinstance(pair.control, FakeStripDriver)
    with pytest.raises(DriverConfigError, match="unknown option colour"):
        open_driver("strip:///dev/ttyUSB7?colour=red")


def test_a_registered_family_gives_panel_size_and_patterns(strip):
    assert panel_size("strip:///dev/ttyUSB7?size=40x20") == (40, 20)
    assert panel_size("strip:///dev/ttyUSB7?size=40x20+novastar:///dev/ttyUSB0") == (40, 20)
    assert patterns_for("strip:///dev/ttyUSB7") == STRIP_PATTERNS
    assert patterns_for("hdmi://0?region=0,0,40,20+strip:///dev/ttyUSB7") == STRIP_PATTERNS


def test_registering_is_undone_and_never_doubles():
    with registered(STRIP):
        assert STRIP in families()
        with pytest.raises(ValueError, match="already registered"):
            with registered(dataclasses.replace(STRIP, patterns=())):
                pass
    assert STRIP not in families()
    with pytest.raises(DriverConfigError, match="unknown driver 'strip'"):
        open_driver("strip:///dev/ttyUSB7?size=32x8")
    assert patterns_for("strip:///dev/ttyUSB7") == ()


def test_the_api_checks_patterns_against_a_registered_family(strip, settings, clock, api):
    settings = dataclasses.replace(settings, driver="strip:///dev/ttyUSB7?size=8x4")
    tech = bearer(api, "technician", "duc")
    with serve(create_app(settings, clock, api)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            shown = client.put("/api/panel/test-pattern", json={"pattern": "stripes"},
                               headers=tech)
            lacking = client.put("/api/panel/test-pattern", json={"pattern": "ageing"},
                                 headers=tech)
    assert shown.status_code == 200, shown.text
    assert api.desired.overrides()["test_pattern"].value == "stripes"
    assert lacking.status_code == 422
    assert lacking.json()["detail"][0]["msg"].endswith("choose one of stripes, red")


@pytest.mark.slow
def test_emulate_panel_serves_the_family_and_signage_panel_talks_to_it(tmp_path):
    def signage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", WITH_STRIP, *args], cwd=REPO,
                              capture_output=True, text=True, timeout=60)

    link = tmp_path / "tty"
    emulator = subprocess.Popen(
        [sys.executable, "-c", WITH_STRIP, "emulate-panel", "--protocol", "strip", "--size",
         "8x4", "--link", str(link), "--exit-on-eof"],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    try:
        assert emulator.stdout.readline().strip() == str(link)
        device = f"--device=strip://{link}?size=8x4"
        done = signage("panel", device, "test-pattern", "stripes")
        assert done.returncode == 0, done.stderr
        assert signage("panel", device, "brightness", "40").returncode == 0
        status = signage("panel", device, "status", "--json")
        assert json.loads(status.stdout) == {"size": [8, 4], "pattern": "stripes",
                                             "brightness": "40"}
        lacking = signage("panel", device, "test-pattern", "ageing")  # a NovaStar pattern
        assert lacking.returncode == 1 and "'ageing' unknown" in lacking.stderr
        emulator.stdin.write("status\n")
        emulator.stdin.flush()
        assert json.loads(emulator.stdout.readline())["pattern"] == "stripes"
    finally:
        emulator.stdin.close()
        emulator.wait(timeout=10)
