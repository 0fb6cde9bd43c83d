"""A hung player is found and restarted: it pings (sd_notify) and whoever runs it listens.

Real datagram sockets and real child processes; the supervisor's time is passed in, so
no test waits for a timeout to pass.
"""

from __future__ import annotations

import secrets
import select
import socket
import sys
import threading
import time

import pytest

from signage.clock import FakeClock
from signage.settings import Settings
from signage.cli.supervisor import HUNG_AFTER_S, STARTUP_GRACE_S, Child, Supervisor
from signage.player.watchdog import Notifier
from tests.conftest import emulated_panel, player_on


@pytest.fixture
def listener():
    """A socket in the abstract namespace, as systemd would listen on; (env, receive)."""
    name = f"signage-test-{secrets.token_hex(6)}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())

    def received() -> list[str]:
        messages = []
        while select.select([sock], [], [], 0)[0]:
            messages.append(sock.recv(4096).decode())
        return messages

    yield {"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "2000000"}, received
    sock.close()


def test_the_notifier_says_ready_and_pings_at_half_the_watchdog_interval(listener):
    env, received = listener
    notifier = Notifier(env)
    notifier.ready()
    for now in (0.0, 0.4, 0.9, 1.0, 1.5, 2.1):  # WATCHDOG_USEC 2 s: a ping each second
        notifier.alive(now)
    notifier.stopping()
    assert received() == ["READY=1", "WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1", "STOPPING=1"]


def test_pings_come_only_from_the_process_systemd_watches(listener):
    env, received = listener
    notifier = Notifier({**env, "WATCHDOG_PID": "1"})  # not us
    notifier.alive(0.0)
    assert received() == []


def test_without_a_socket_nothing_is_sent_and_nothing_fails():
    notifier = Notifier({})
    notifier.ready()
    notifier.alive(0.0)
    assert not notifier.enabled


def test_a_vanished_listener_costs_the_frame_loop_nothing(listener):
    env, received = listener
    notifier = Notifier({**env, "NOTIFY_SOCKET": "@signage-nobody-listens-here"})
    notifier.ready()  # refused by the kernel: logged once, never raised
    notifier.alive(0.0)


def test_the_player_is_ready_after_its_first_frame_and_pings_while_it_runs(
        listener, settings, store, clock, fonts):
    env, received = listener
    player = player_on(settings, store, clock, emulated_panel((96, 48)), fonts,
                       notifier=Notifier(env))
    player.run(threading.Event(), max_frames=120)  # 4 s at 30 fps on the fake clock
    messages = received()
    assert messages[0] == "READY=1" and messages[-1] == "STOPPING=1"
    assert 4 <= messages.count("WATCHDOG=1") <= 5  # one a second, not one a frame


# --- the supervisor of `signage run` ---------------------------------------------------

PINGS_ONCE_THEN_HANGS = """
import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", b"\\0" + os.environ["NOTIFY_SOCKET"][1:].encode())
time.sleep(120)
"""
KEEPS_PINGING = PINGS_ONCE_THEN_HANGS.replace(
    "time.sleep(120)", "while True:\n    s.sendto(b'WATCHDOG=1', b'\\0' + os.environ['NOTIFY_SOCKET'][1:].encode())"
                       "\n    time.sleep(0.02)")
NEVER_PINGS = "import time\ntime.sleep(120)"


@pytest.fixture
def supervise(tmp_path):
    made = []

    def supervise(script: str) -> tuple[Supervisor, Child]:
        child = Child("player", [sys.executable, "-c", script], watched=True)
        supervisor = Supervisor([child], Settings(tmp_path / "data", tmp_path / "run"), FakeClock())
        made.append(supervisor)
        supervisor.check(child, 0.0)  # started
        return supervisor, child

    yield supervise
    for supervisor in made:
        supervisor.shutdown()


def heard_by(child: Child, now: float) -> None:
    """Wait (in real time, for the child process to start) until it has pinged."""
    deadline = time.monotonic() + 20
    while child.heard != now and time.monotonic() < deadline:
        select.select([child._socket], [], [], 0.1)
        child.listen(now)
    assert child.heard == now, "the child never pinged"


def test_a_player_that_falls_silent_is_killed_and_started_again(supervise):
    supervisor, child = supervise(PINGS_ONCE_THEN_HANGS)
    heard_by(child, 1.0)
    first = child.process.pid
    supervisor.check(child, 1.0 + HUNG_AFTER_S - 1)  # quiet, but not for long enough
    assert child.alive() and child.process.pid == first
    supervisor.check(child, 1.0 + HUNG_AFTER_S + 1)  # hung: killed, restart due in 0.5 s
    supervisor.check(child, 1.0 + HUNG_AFTER_S + 2)
    assert child.restarts == 1 and child.alive() and child.process.pid != first


def test_a_player_that_keeps_pinging_is_left_alone(supervise):
    supervisor, child = supervise(KEEPS_PINGING)
    first = child.process.pid
    for now in (10.0, 10.0 + HUNG_AFTER_S + 5, 10.0 + 3 * HUNG_AFTER_S):
        heard_by(child, now)  # pings arrived since the last check
        supervisor.check(child, now)
    assert child.process.pid == first and child.restarts == 0


def test_a_player_that_never_starts_pinging_gets_the_startup_grace_then_a_restart(supervise):
    supervisor, child = supervise(NEVER_PINGS)
    first = child.process.pid
    supervisor.check(child, STARTUP_GRACE_S - 1)
    assert child.process.pid == first
    supervisor.check(child, STARTUP_GRACE_S + 1)
    supervisor.check(child, STARTUP_GRACE_S + 2)
    assert child.restarts == 1 and child.process.pid != first
