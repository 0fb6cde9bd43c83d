"""SIGTERM stops a command even when it lands while the main thread holds the lock that
stopping takes (the deadlock that once left `signage player` running after SIGTERM)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

# The main thread holds the stop Event's own lock, as it does for an instant inside
# Event.wait(), and the signal arrives right then. A handler that calls stop.set() itself
# waits for that lock forever; the pipe and the stopper thread do not.
WHILE_HOLDING_THE_LOCK = """
import signal, threading
from signage.cli.signals import on_stop_signals
stop = threading.Event()
woken = []
on_stop_signals(stop.set, lambda: woken.append(True))
with stop._cond:
    signal.raise_signal(signal.SIGTERM)
    print("handler returned", flush=True)
assert stop.wait(10), "the stop actions never ran"
assert woken == [True]
print("stopped", flush=True)
"""


def test_a_stop_signal_while_the_main_thread_holds_the_stop_lock_still_stops():
    done = subprocess.run([sys.executable, "-c", WHILE_HOLDING_THE_LOCK], cwd=REPO,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["handler", "returned", "stopped"]


def test_sigint_stops_too_and_other_bytes_are_ignored():
    script = """
import os, signal, threading
from signage.cli.signals import on_stop_signals
stop = threading.Event()
on_stop_signals(stop.set)
signal.raise_signal(signal.SIGINT)
assert stop.wait(10)
print("stopped")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=30)
    assert (done.returncode, done.stdout.strip()) == (0, "stopped"), done.stderr
