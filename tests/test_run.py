"""`signage run` end to end: two real processes, a real HTTP server on 127.0.0.1.

These tests wait for things to happen (a server to answer, a process to restart) by
polling with a deadline; none sleeps for time to pass.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from signage.services.preview import render_preview_file
from tests.conftest import REPO, SAMPLES

pytestmark = pytest.mark.slow

NEW_PLAYLIST = """\
name: welcome
items:
  - kind: message
    duration: 30s
    text:
      vi: "Thông báo mới: cửa khẩu mở thêm làn xe tải"
      en: "New notice: an extra truck lane is open"
      zh: "新通知：增开一条货车通道"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Running:
    """A `signage run` child process with its data directory and API address."""

    def __init__(self, tmp_path: Path):
        # The welcome playlist alone: the sample schedule would make what is on screen
        # depend on the hour the tests run at (night, power-off hours).
        seed = tmp_path / "content" / "playlists"
        seed.mkdir(parents=True)
        shutil.copy(SAMPLES / "welcome.yaml", seed)
        shutil.copytree(REPO / "assets", tmp_path / "content" / "assets")
        self.data_dir = tmp_path / "data"
        self.runtime_dir = self.data_dir / "run"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, SIGNAGE_DATA_DIR=str(self.data_dir))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "signage", "run", "--listen", f"127.0.0.1:{self.port}",
             "--seed", str(seed)],
            env=self.env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.http = httpx.Client(base_url=self.base, timeout=5)
        self.tokens: dict[str, str] = {}

    def get(self, path: str, **kwargs):
        try:
            return self.http.get(path, **kwargs)
        except httpx.TransportError:
            return None

    def healthy(self):
        response = self.get("/api/health")
        return response is not None and response.status_code == 200 and response.json()

    def make_tokens(self) -> None:
        """Two admin tokens from the CLI, then one token per content role through the API,
        made by the first admin and confirmed by the second (separation of duties)."""
        for admin in ("admin", "admin2"):
            result = subprocess.run(
                [sys.executable, "-m", "signage", "token", "create", "--role", "admin",
                 "--name", f"e2e-{admin}"],
                env=self.env, capture_output=True, text=True, timeout=60, check=True,
            )
            self.tokens[admin] = result.stdout.strip()
        for role in ("editor", "approver", "technician"):
            response = self.http.post("/api/tokens", json={"name": f"e2e-{role}", "role": role},
                                      headers=self.auth("admin"))
            assert response.status_code == 201, response.text
            self.tokens[role] = response.json()["token"]
            confirmed = self.http.post(f"/api/tokens/e2e-{role}/confirm",
                                       headers=self.auth("admin2"))
            assert confirmed.status_code == 200, confirmed.text

    def auth(self, role: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def screen(self) -> Image.Image | None:
        response = self.get("/api/screen.png", headers=self.auth("technician"))
        if response is None or response.status_code != 200:
            return None
        return Image.open(io.BytesIO(response.content))

    def children(self) -> dict:
        state = json.loads((self.runtime_dir / "supervisor.json").read_text())
        return {name: info["pid"] for name, info in state["children"].items()}

    def status(self) -> dict:
        return json.loads((self.runtime_dir / "status.json").read_text())

    def frames(self) -> int:
        return self.status()["frames"]

    def stop(self) -> str:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output


@pytest.fixture
def running(tmp_path):
    run = Running(tmp_path)
    try:
        wait_for(run.healthy, 30, "GET /api/health to answer 200")
        run.make_tokens()
        yield run
    finally:
        output = run.stop()
        print(output)


def expected_frame(tmp_path: Path, source: Path, at: float = 1.0) -> bytes:
    out = render_preview_file(source, at, (768, 384), tmp_path / f"expected-{source.stem}.png")
    return Image.open(out).convert("RGB").tobytes()


def shows(run: Running, expected: bytes) -> bool:
    image = run.screen()
    return image is not None and image.convert("RGB").tobytes() == expected


def test_health_then_screen_shows_the_welcome_message(running, tmp_path):
    health = running.healthy()
    assert health["state"] == "ok" and health["player"]["alive"] and health["live_revision"]
    image = running.screen()
    assert image.format == "PNG" and image.size == (768, 384)
    wait_for(lambda: shows(running, expected_frame(tmp_path, SAMPLES / "welcome.yaml")), 5,
             "the welcome message on /api/screen.png")


def test_screen_and_publishing_need_a_token(running):
    assert running.get("/api/screen.png").status_code == 401
    response = running.http.put("/api/playlists/welcome", content=NEW_PLAYLIST,
                                headers={"Content-Type": "application/yaml"})
    assert response.status_code == 401


def test_a_draft_stays_off_screen_and_its_approval_is_on_screen_within_a_second(running, tmp_path):
    welcome = expected_frame(tmp_path, SAMPLES / "welcome.yaml")
    wait_for(lambda: shows(running, welcome), 5, "the welcome message")
    before = running.healthy()["live_revision"]
    source = tmp_path / "new.yaml"
    source.write_text(NEW_PLAYLIST, encoding="utf-8")
    expected = expected_frame(tmp_path, source)
    response = running.http.put("/api/playlists/welcome", content=NEW_PLAYLIST.encode(),
                                headers={**running.auth("editor"),
                                         "Content-Type": "application/yaml"})
    assert response.status_code == 201, response.text
    revision = response.json()["revision"]
    submitted = running.http.post(f"/api/revisions/{revision}/submit", headers=running.auth("editor"))
    assert submitted.status_code == 200, submitted.text
    # The player notices a change within 250 ms; two status writes later it would show.
    stamps = {running.status()["updated_at"]}
    wait_for(lambda: stamps.add(running.status()["updated_at"]) or len(stamps) > 2, 5,
             "two newer player status documents")
    assert running.healthy()["live_revision"] == before == running.status()["revision"]
    assert shows(running, welcome), "a draft reached the screen before its approval"

    approved = running.http.post(f"/api/revisions/{revision}/approve",
                                 headers=running.auth("approver"))
    assert approved.status_code == 200, approved.text
    wait_for(lambda: shows(running, expected), 1.0, "the approved text on /api/screen.png")


def test_a_bad_body_gets_422_naming_the_field(running):
    body = NEW_PLAYLIST.replace('      zh: "新通知：增开一条货车通道"\n', "")
    response = running.http.put("/api/playlists/welcome", content=body.encode(),
                                headers={**running.auth("editor"),
                                         "Content-Type": "application/yaml"})
    assert response.status_code == 422
    assert "items[0].text.zh" in [problem["path"] for problem in response.json()["detail"]]


def test_killed_api_is_restarted_while_frames_keep_rising(running):
    before = running.children()
    frames = [running.frames()]
    os.kill(before["api"], signal.SIGKILL)

    def api_back():
        frames.append(running.frames())
        pid = running.children()["api"]
        return pid not in (None, before["api"]) and running.healthy()

    wait_for(api_back, 15, "the API to be restarted")
    frames.append(running.frames())
    assert running.children()["player"] == before["player"]
    assert all(a <= b for a, b in zip(frames, frames[1:])) and frames[-1] > frames[0]


def test_killed_player_is_restarted_with_the_same_content_within_5s(running, tmp_path):
    expected = expected_frame(tmp_path, SAMPLES / "welcome.yaml")
    wait_for(lambda: shows(running, expected), 5, "the welcome message")
    old = running.children()["player"]
    os.kill(old, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: running.children()["player"] not in (None, old), 5, "a new player process")

    def fresh_and_showing():
        status = json.loads((running.runtime_dir / "status.json").read_text())
        return status["pid"] != old and shows(running, expected)

    wait_for(fresh_and_showing, 5 - (time.monotonic() - killed_at), "the same content from the new player")


def test_an_emergency_is_on_the_panel_within_a_second_and_survives_a_player_crash(running):
    notice = {"text": {"vi": "Cửa khẩu tạm đóng do sạt lở đất", "en": "Gate closed: landslide",
                       "zh": "口岸因山体滑坡暂时关闭"}, "duration": "1h"}
    wait_for(lambda: running.status()["playlist"] == "welcome", 5, "the welcome playlist")
    response = running.http.post("/api/emergency", json=notice, headers=running.auth("approver"))
    assert response.status_code == 201, response.text
    stored_at = time.monotonic()
    emergency_id = response.json()["id"]

    def on_panel():
        status = running.status()
        return status["state"] == "emergency" and status["emergency"]["id"] == emergency_id

    wait_for(on_panel, 5, "the emergency notice on the panel")
    assert time.monotonic() - stored_at < 1.0, "the notice took more than a second"

    old = running.children()["player"]
    os.kill(old, signal.SIGKILL)
    wait_for(lambda: running.status()["pid"] != old and on_panel(), 10,
             "the notice back on the panel after the player was killed")

    response = running.http.delete(f"/api/emergency/{emergency_id}",
                                   headers=running.auth("approver"))
    assert response.status_code == 200
    wait_for(lambda: running.status()["state"] == "playing", 2, "the playlist back after cancelling")


def test_sigterm_stops_both_children(running):
    children = running.children()
    output = running.stop()
    assert running.process.returncode == 0, output
    for pid in children.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
