"""`signage run`: the player and the API as two child processes, kept alive.

This is the development and demo path; in production systemd runs the two units.
A child that dies is started again with a backoff that grows while it keeps dying
and resets once it has stayed up for a while. A watched child (the player) is also
killed and restarted when it hangs: it must say WATCHDOG=1 (signage/watchdog.py) on a
socket of ours at least every HUNG_AFTER_S, as it would to systemd.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading

from signage.cli.signals import on_stop_signals
from signage.clock import Clock, SystemClock
from signage.settings import Settings
from signage.store.runtime import write_json

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
HEALTHY_AFTER_S = 60.0  # a child up this long has recovered; its backoff resets
STOP_GRACE_S = 5.0
POLL_S = 0.2
# A watched child silent this long is hung (it pings every HUNG_AFTER_S / 2). The first
# ping comes after the first frame: fonts and the store take a few seconds on a slow box.
HUNG_AFTER_S = 20.0
STARTUP_GRACE_S = 60.0


@dataclasses.dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    backoff: float = FIRST_BACKOFF_S
    due: float = 0.0  # when it may be started (again)
    watched: bool = False  # must ping the watchdog, or it is restarted as hung
    heard: float | None = None  # when it last said it was alive
    _socket: socket.socket | None = None
    _address: str = ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def watchdog_env(self) -> dict[str, str]:
        """NOTIFY_SOCKET and WATCHDOG_USEC for the child: a socket only we listen on."""
        if not self.watched:
            return {}
        if self._socket is None:
            # The abstract namespace: no file to clean up, no path-length limit.
            self._address = f"signage-{os.getpid()}-{self.name}-{secrets.token_hex(4)}"
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.bind(b"\0" + self._address.encode())
            self._socket.setblocking(False)
        return {"NOTIFY_SOCKET": "@" + self._address,
                "WATCHDOG_USEC": str(int(HUNG_AFTER_S * 1e6))}

    def listen(self, now: float) -> None:
        """Note when the child last pinged (READY=1 or WATCHDOG=1)."""
        while self._socket is not None:
            try:
                message = self._socket.recv(4096)
            except BlockingIOError:
                return
            if b"WATCHDOG=1" in message or b"READY=1" in message:
                self.heard = now

    def hung(self, now: float) -> bool:
        if not self.watched or not self.alive():
            return False
        since = self.started if self.heard is None else self.heard
        return now - since > (STARTUP_GRACE_S if self.heard is None else HUNG_AFTER_S)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


class Supervisor:
    def __init__(self, children: list[Child], settings: Settings, clock: Clock):
        self.children = children
        self.settings = settings
        self.clock = clock
        self.stop = threading.Event()

    def start(self, child: Child, now: float) -> None:
        # The API needs the driver too: the panel's size decides legibility checks and
        # how uploads are scaled.
        env = dict(os.environ, SIGNAGE_DATA_DIR=str(self.settings.data_dir),
                   SIGNAGE_RUNTIME_DIR=str(self.settings.runtime_dir),
                   SIGNAGE_DRIVER=self.settings.driver, **child.watchdog_env())
        env.pop("WATCHDOG_PID", None)  # systemd's, for us: the child pings our socket
        child.process = subprocess.Popen(child.argv, env=env,
                                         preexec_fn=die_with_parent(os.getpid()))
        child.started, child.heard = now, None
        log.info("started %s (pid %d)", child.name, child.process.pid)

    def check(self, child: Child, now: float) -> bool:
        """Start or restart `child` if it is not running; True if something changed."""
        child.listen(now)
        if child.hung(now):
            log.error("%s (pid %d) has not said it is alive for %.0fs: hung; killing it",
                      child.name, child.process.pid, now - (child.heard or child.started))
            child.process.kill()
            child.process.wait()
        if child.alive():
            if now - child.started >= HEALTHY_AFTER_S:
                child.backoff = FIRST_BACKOFF_S
            return False
        if child.process is not None:
            code = child.process.returncode
            log.warning("%s (pid %d) exited with %s; restarting in %.1fs", child.name,
                        child.process.pid, code, child.backoff)
            child.process = None
            child.restarts += 1
            child.due = now + child.backoff
            child.backoff = min(MAX_BACKOFF_S, child.backoff * 2)
        if now >= child.due:
            self.start(child, now)
            return True
        return False

    def write_state(self) -> None:
        write_json(self.settings.runtime_dir / "supervisor.json", {
            "pid": os.getpid(),
            "children": {
                c.name: {"pid": c.process.pid if c.alive() else None, "restarts": c.restarts}
                for c in self.children
            },
        })

    def run(self) -> int:
        self.settings.runtime_dir.mkdir(parents=True, exist_ok=True)
        try:
            while not self.stop.is_set():
                now = self.clock.monotonic()
                if any([self.check(child, now) for child in self.children]):
                    self.write_state()
                self.clock.sleep(POLL_S)
        finally:
            self.shutdown()
        return 0

    def shutdown(self) -> None:
        running = [c for c in self.children if c.alive()]
        for child in running:
            child.process.send_signal(signal.SIGTERM)
        for child in running:
            try:
                child.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %gs; killing it", child.name, STOP_GRACE_S)
                child.process.kill()
                child.process.wait()
        for child in self.children:
            child.close()
        log.info("stopped")
        (self.settings.runtime_dir / "supervisor.json").unlink(missing_ok=True)


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child gets when the thread that forked it dies


def die_with_parent(parent_pid: int):
    """A preexec_fn: the child gets SIGTERM when we die, also by kill -9, so no player is
    left driving the panel for a second `signage run` to collide with (Linux; elsewhere
    the data-dir lock still stops a second player)."""
    def preexec() -> None:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent_pid:  # we died between fork and prctl
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def run_children(settings: Settings, listen: str) -> int:
    command = [sys.executable, "-m", "signage"]
    children = [
        Child("player", command + ["player", "--driver", settings.driver, "--fps", f"{settings.fps:g}"],
              watched=True),
        Child("api", command + ["api", "--listen", listen]),
    ]
    clock = SystemClock()
    supervisor = Supervisor(children, settings, clock)

    on_stop_signals(supervisor.stop.set, clock.wake)
    log.info("signage run: player on %s, API on http://%s, data in %s", settings.driver, listen,
             settings.data_dir)
    return supervisor.run()
