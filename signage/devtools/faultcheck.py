"""`signage faultcheck`: fault a real `signage run` as a pole in the mountains is faulted,
and say for each fault whether the wall held, how long it took to recover, and what was lost.

Each scenario starts `signage run` (emulated panel, API on 127.0.0.1) on a data directory of
its own under a temporary directory, breaks something (kill -9, a damaged or read-only
database, a full disk, a clock ten years ahead), then watches what a technician would:
/api/health, the player's status document, the answers to requests. One line a scenario:

    kill -9 of signage run     held   recovered in 3.1 s  lost: nothing

Mounting (a read-only bind mount, a small tmpfs) needs root; without it those scenarios
say `skipped`. Everything stops by itself and is removed; the whole run takes a minute or two.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from signage.clock import SystemClock

CLOCK = SystemClock()
START_TIMEOUT_S = 60.0
RECOVER_TIMEOUT_S = 30.0
PLAYLIST = """\
name: welcome
items:
  - kind: message
    duration: 30s
    text: {vi: "Chào mừng đến Cửa khẩu Thanh Thủy", en: "Welcome to Thanh Thuy", zh: "欢迎"}
"""
NOTICE = {"text": {"vi": "Cửa khẩu tạm đóng", "en": "Gate closed", "zh": "口岸暂时关闭"},
          "duration": "1h"}


@dataclasses.dataclass
class Outcome:
    name: str
    held: bool | None  # None: skipped
    recover_s: float | None = None
    lost: str = "nothing"
    note: str = ""

    def line(self) -> str:
        verdict = {True: "held", False: "BROKE", None: "skipped"}[self.held]
        recovered = "" if self.recover_s is None else f"recovered in {self.recover_s:.1f} s"
        lost = "" if self.held is None else f"lost: {self.lost}"
        return f"{self.name:<34} {verdict:<8} {recovered:<20} {lost:<16} {self.note}".rstrip()


class Wall:
    """`signage run` on its own data dir, its tokens, and what a technician can see."""

    def __init__(self, root: Path):
        self.data_dir, self.runtime_dir = root / "data", root / "run"
        self.env = dict(os.environ, SIGNAGE_DATA_DIR=str(self.data_dir),
                        SIGNAGE_RUNTIME_DIR=str(self.runtime_dir), SIGNAGE_DISK_RESERVE_MB="1")
        import httpx  # a test dependency: the `signage` command must start without it

        self.port = _free_port()
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=5,
                                 trust_env=False)
        self.process: subprocess.Popen | None = None
        self.tokens: dict[str, str] = {}

    def seed(self, root: Path) -> None:
        (root / "seed").mkdir()
        (root / "seed" / "welcome.yaml").write_text(PLAYLIST, encoding="utf-8")
        self._signage("import", str(root / "seed"), "--activate", "welcome")
        for role in ("approver", "editor", "technician"):
            self.tokens[role] = self._signage("token", "create", "--role", role,
                                              "--name", f"faultcheck-{role}").strip()

    def _signage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "signage", *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=60).stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "signage", "run", "--listen", f"127.0.0.1:{self.port}"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def health(self) -> dict:
        import httpx

        try:
            answer = self.http.get("/api/health")
            return {"status": answer.status_code, **answer.json()}
        except (httpx.HTTPError, ValueError):
            return {"status": None}

    def call(self, method: str, path: str, role: str, headers: dict | None = None,
             **kwargs):
        """The answer (an httpx.Response), or None if the server did not answer."""
        import httpx

        try:
            return self.http.request(method, path, headers={
                **(headers or {}), "Authorization": f"Bearer {self.tokens[role]}"}, **kwargs)
        except httpx.HTTPError:
            return None

    def status(self) -> dict:
        try:
            return json.loads((self.runtime_dir / "status.json").read_text())
        except (OSError, ValueError):
            return {}

    def playing(self, name: str = "welcome") -> bool:
        status = self.status()
        return status.get("playlist") == name and status.get("state") == "playing"

    def children(self) -> dict[str, int | None]:
        try:
            state = json.loads((self.runtime_dir / "supervisor.json").read_text())
        except (OSError, ValueError):
            return {}
        return {name: info["pid"] for name, info in state["children"].items()}

    def live_revision(self) -> int | None:
        answer = self.call("GET", "/api/playlists", "technician")
        if answer is None or answer.status_code != 200 or not answer.json().get("active"):
            return None
        return answer.json()["active"]["revision"]


def wait_for(predicate: Callable[[], object], timeout: float) -> float | None:
    """Seconds until `predicate` is truthy, or None after `timeout`."""
    started = CLOCK.monotonic()
    while CLOCK.monotonic() - started < timeout:
        if predicate():
            return CLOCK.monotonic() - started
        CLOCK.sleep(0.1)
    return None


@contextlib.contextmanager
def running_wall(root: Path) -> Iterator[Wall]:
    wall = Wall(root)
    wall.seed(root)
    wall.start()
    try:
        if wait_for(lambda: wall.health().get("status") == 200 and wall.playing(),
                    START_TIMEOUT_S) is None:
            raise RuntimeError("signage run did not start playing; run it by hand to see why")
        yield wall
    finally:
        wall.stop()
        wall.http.close()


# --- scenarios ------------------------------------------------------------------------


def kill_run(root: Path) -> Outcome:
    with running_wall(root) as wall:
        before, children = wall.live_revision(), wall.children()
        wall.process.send_signal(signal.SIGKILL)
        wall.process.wait()
        started = CLOCK.monotonic()
        orphans_gone = wait_for(lambda: all(_gone(pid) for pid in children.values() if pid), 15)
        wall.start()
        back = wait_for(lambda: wall.health().get("status") == 200 and wall.playing(),
                        RECOVER_TIMEOUT_S)
        lost = "nothing" if wall.live_revision() == before else "the live revision"
        return Outcome("kill -9 of signage run", orphans_gone is not None and back is not None,
                       CLOCK.monotonic() - started if back else None, lost,
                       "" if orphans_gone is not None else "children outlived it")


def kill_player(root: Path) -> Outcome:
    with running_wall(root) as wall:
        before, player = wall.live_revision(), wall.children()["player"]
        os.kill(player, signal.SIGKILL)
        back = wait_for(lambda: wall.children().get("player") not in (None, player)
                        and wall.playing() and wall.health().get("status") == 200,
                        RECOVER_TIMEOUT_S)
        lost = "nothing" if wall.live_revision() == before else "the live revision"
        return Outcome("kill -9 of the player", back is not None, back, lost)


def damaged_database(how: str, damage: Callable[[Path], None]) -> Callable[[Path], Outcome]:
    def scenario(root: Path) -> Outcome:
        name = f"signage.db {how}"
        with running_wall(root) as wall:
            before = wall.live_revision()
            wall.stop()
            database = wall.data_dir / "signage.db"
            backup = database.read_bytes()
            damage(database)
            damaged = database.read_bytes()
            wall.start()
            loud = wait_for(lambda: wall.health().get("state") == "store damaged"
                            and wall.playing(), RECOVER_TIMEOUT_S)
            kept = database.read_bytes() == damaged  # never replaced by an empty store
            database.write_bytes(backup)  # the technician restores the backup
            for suffix in ("-wal", "-shm"):
                database.with_name(database.name + suffix).unlink(missing_ok=True)
            back = wait_for(lambda: wall.health().get("status") == 200, RECOVER_TIMEOUT_S)
            lost = "nothing" if wall.live_revision() == before else "the live revision"
            note = "" if loud else "not reported as store damaged, or the wall went off"
            return Outcome(name, bool(loud is not None and kept and back is not None), back,
                           lost if kept else "the damaged file", note)

    return scenario


def read_only_data_dir(root: Path) -> Outcome:
    with running_wall(root) as wall:
        before = wall.live_revision()
        wall.stop()
        with _mounted(["--bind", str(wall.data_dir), str(wall.data_dir)],
                      ["-o", "remount,bind,ro", str(wall.data_dir)]) as why:
            if why:
                return Outcome("read-only data dir", None, note=why)
            wall.start()
            started = CLOCK.monotonic()
            held = wait_for(lambda: wall.health().get("state") == "store read-only"
                            and wall.playing() and wall.live_revision() == before,
                            RECOVER_TIMEOUT_S)
            refused = wall.call("PUT", "/api/playlists/welcome", "editor", content=PLAYLIST,
                                headers={"Content-Type": "application/yaml"})
            wall.stop()
        clear = refused is not None and refused.status_code == 503
        return Outcome("read-only data dir", held is not None and clear,
                       CLOCK.monotonic() - started if held else None, "nothing",
                       "reads served, writes refused with 503" if clear else "writes not refused")


def full_disk(root: Path) -> Outcome:
    disk = root / "disk"
    disk.mkdir()
    with _mounted(["-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)]) as why:
        if why:
            return Outcome("full disk", None, note=why)
        with running_wall(disk) as wall:
            _fill(disk)
            upload = wall.call("POST", "/api/assets", "editor",
                               files={"file": ("big.png", _noisy_png(), "image/png")})
            notice = wall.call("POST", "/api/emergency", "approver", json=NOTICE)
            shown = wait_for(lambda: wall.status().get("state") == "emergency", 5)
            listing = wall.call("GET", "/api/playlists", "editor")
        answers = [getattr(r, "status_code", None) for r in (upload, notice, listing)]
        held = answers == [507, 201, 200] and shown is not None
        return Outcome("full disk", held, shown, "nothing",
                       f"upload {answers[0]}, emergency {answers[1]} (on screen in "
                       f"{shown or 0:.1f} s), reads {answers[2]}")


def clock_ten_years_ahead(root: Path) -> Outcome:
    """In this process (the system clock is not ours to set): the player's trust in time
    through a +10-year step of half an hour, then NTP's correction."""
    import datetime as dt

    from signage.clock import FakeClock
    from signage.schedule.trusted_time import TimeTrust

    clock = FakeClock(dt.datetime(2027, 3, 10, 12, tzinfo=dt.timezone.utc))
    trust = TimeTrust(newest_seen=clock.now())
    trust.observe(clock.now(), clock.monotonic())  # the player watches the clock all along
    real = clock.now()
    clock.set_wall(real + dt.timedelta(days=3653))
    for _ in range(30):
        clock.advance(60)
        trust.observe(clock.now(), clock.monotonic())
    clock.set_wall(real + dt.timedelta(minutes=30))
    for second in range(120):
        if trust.observe(clock.now(), clock.monotonic()).trusted:
            return Outcome("clock +10 years, then corrected", True, float(second), "nothing",
                           "(in process, fake clock)")
        clock.advance(1)
    return Outcome("clock +10 years, then corrected", False, None, "trust for the schedule")


SCENARIOS: list[Callable[[Path], Outcome]] = [
    kill_run, kill_player,
    damaged_database("of 0 bytes", lambda path: path.write_bytes(b"")),
    damaged_database("cut in half", lambda path: os.truncate(path, path.stat().st_size // 2)),
    read_only_data_dir, full_disk, clock_ten_years_ahead,
]


def run_all(out=sys.stdout) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line a scenario, not a request
    broke = 0
    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory(prefix="signage-faultcheck-") as root:
            try:
                outcome = scenario(Path(root))
            except Exception as exc:  # a scenario that cannot run is a broken one
                outcome = Outcome(scenario.__name__, False, note=f"error: {exc}")
        broke += outcome.held is False
        print(outcome.line(), file=out, flush=True)
    return 1 if broke else 0


def cmd_faultcheck(args) -> int:
    return run_all()


def add_parser(sub) -> None:
    parser = sub.add_parser("faultcheck", help="fault a real `signage run` (kill -9, damaged, "
                            "read-only and full disks, a wrong clock) and say what held")
    parser.set_defaults(func=cmd_faultcheck)


# --- helpers --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except OSError:
        return True


@contextlib.contextmanager
def _mounted(*steps: list[str]) -> Iterator[str | None]:
    """Run `mount` with each step's arguments; yield None, or why mounting is not allowed.
    The target (the last argument of the first step) is unmounted afterwards."""
    target = steps[0][-1]
    for number, step in enumerate(steps):
        result = subprocess.run(["mount", *step], capture_output=True, text=True)
        if result.returncode != 0:
            if number:
                subprocess.run(["umount", "-l", target], capture_output=True)
            yield f"cannot mount here (needs root): {result.stderr.strip()}"
            return
    try:
        yield None
    finally:
        subprocess.run(["umount", "-l", target], capture_output=True)


def _fill(directory: Path) -> None:
    """Fill the disk under `directory` to the last byte."""
    with contextlib.suppress(OSError), open(directory / "filler", "wb") as handle:
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    with contextlib.suppress(OSError), open(directory / "filler-last", "wb") as handle:
        while True:
            handle.write(b"\0")
            handle.flush()


def _noisy_png(size: tuple[int, int] = (600, 400)) -> bytes:
    """A real picture that does not compress: it needs its size on the disk."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    return buffer.getvalue()
