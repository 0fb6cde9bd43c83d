"""`signage emulate-panel` and `signage panel`, as a technician uses them: real processes,
a real pseudo-terminal between them, and the device's answers on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


class Emulator:
    """`signage emulate-panel` in the background; commands go to its stdin."""

    def __init__(self, tmp_path: Path, *args: str):
        self.link = tmp_path / "tty"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "signage", "emulate-panel", "--link", str(self.link),
             "--exit-on-eof", *args],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True,
        )
        # The first line is the path; reading it is how we know the device is there.
        assert self.process.stdout.readline().strip() == str(self.link)

    def command(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def novastar(tmp_path):
    emulator = Emulator(tmp_path, "--protocol", "novastar")
    yield emulator
    emulator.stop()


def panel(emulator: Emulator, *args: str) -> subprocess.CompletedProcess:
    url = f"novastar://{emulator.link}?timeout=0.3&retries=1&poll=0"
    return subprocess.run([sys.executable, "-m", "signage", "panel", "--device", url, *args],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


def test_status_reads_model_signal_and_every_card(novastar):
    done = panel(novastar, "status", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["model"] == "MCTRL660 Pro" and status["dvi_signal"] is True
    assert [(c["port"], c["index"], c["present"]) for c in status["cards"]] == [
        (0, 0, True), (0, 1, True), (1, 0, True), (1, 1, True)]
    assert all(30 <= c["temperature_c"] <= 45 and c["voltage_v"] == 5.0 for c in status["cards"])
    text = panel(novastar, "status").stdout
    assert "MCTRL660 Pro" in text and "card 1:1" in text and "°C" in text


def test_controls_change_what_the_card_holds(novastar):
    assert panel(novastar, "brightness", "40").returncode == 0
    assert panel(novastar, "blackout", "on").returncode == 0
    assert panel(novastar, "test-pattern", "green").returncode == 0
    assert panel(novastar, "save").returncode == 0
    state = json.loads(novastar.command("status"))
    assert state["brightness"] == round(255 * 0.4) and state["blackout"] is True
    assert state["test_pattern"] == "green" and state["saves"] == 1
    assert panel(novastar, "blackout", "off").returncode == 0
    assert panel(novastar, "test-pattern", "off").returncode == 0
    state = json.loads(novastar.command("status"))
    assert state["blackout"] is False and state["test_pattern"] is None


def test_a_silent_card_is_an_error_that_says_so(novastar):
    assert novastar.command("fault no-answer") == "fault: no-answer"
    done = panel(novastar, "brightness", "50")
    assert done.returncode == 1 and "error: driver:" in done.stderr
    assert "Traceback" not in done.stderr
    novastar.command("fault off")
    assert panel(novastar, "brightness", "50").returncode == 0


def test_an_unplugged_port_is_reported_not_a_traceback(novastar):
    assert novastar.command("unplug") == "unplugged"
    done = panel(novastar, "status")
    assert done.returncode == 1 and "check the cable" in done.stderr
    assert "Traceback" not in done.stderr


def test_panel_refuses_a_video_only_driver():
    done = subprocess.run([sys.executable, "-m", "signage", "panel", "--device",
                           "emulated://64x32", "status"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 1 and "not a control link" in done.stderr


# --- a small sign driven by the real player over a pty -----------------------------------


def picture(path: Path, size=(64, 32)):
    """A picture that shows any wiring mistake: halves in two colours, a marked corner."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    image.paste((0, 255, 0), (0, 0, 3, 2))
    image.save(path)
    return image


@pytest.mark.parametrize("protocol, query, wiring", [
    ("tpm2", "baud=1000000&size=64x32", []),
    ("adalight", "baud=500000&size=64x32&wiring=serpentine&rotate=180", ["wiring=serpentine", "rotate=180"]),
])
def test_signage_player_drives_a_small_sign_pixel_for_pixel(tmp_path, protocol, query, wiring):
    from PIL import Image

    content = tmp_path / "content"
    content.mkdir()
    expected = picture(content / "sign.png")
    (content / "sign.yaml").write_text(
        "name: sign\nitems:\n  - {kind: image, asset: sign.png, fit: stretch, duration: 1h}\n")
    env = dict(os.environ, SIGNAGE_DATA_DIR=str(tmp_path / "data"), SIGNAGE_RUNTIME_DIR=str(tmp_path / "run"))
    subprocess.run([sys.executable, "-m", "signage", "import", str(content), "--activate", "sign"],
                   cwd=REPO, env=env, check=True, capture_output=True, timeout=60)
    map_args = [arg for pair in wiring for arg in ("--map", pair)]
    emulator = Emulator(tmp_path, "--protocol", protocol, "--size", "64x32", *map_args)
    player = subprocess.Popen(
        [sys.executable, "-m", "signage", "player", "--driver", f"{protocol}://{emulator.link}?{query}"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        shot = tmp_path / "shot.png"
        deadline = time.monotonic() + 20
        while True:  # poll the sign until it shows the settled picture
            emulator.command(f"save {shot}")
            if Image.open(shot).convert("RGB").tobytes() == expected.tobytes():
                break
            assert time.monotonic() < deadline, "the sign never showed the picture"
            assert player.poll() is None, player.stderr.read()
            time.sleep(0.1)
        assert json.loads(emulator.command("status"))["frames"] > 0
    finally:
        player.terminate()
        player.wait(timeout=20)
        emulator.stop()
