"""Stopping on SIGTERM and SIGINT without a deadlock.

A Python signal handler runs in the main thread between any two bytecodes, also while that
thread holds a lock the handler would take. `Event.set()` in a handler deadlocks when the
signal lands while the main thread re-acquires the same Event's lock inside `Event.wait()`:
seen as a `signage player` that ignored SIGTERM for good under load. So the handler does
nothing in Python: `signal.set_wakeup_fd` makes the C-level handler write the signal's
number into a pipe, and a thread of its own reads it and runs the stop actions.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Callable

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def on_stop_signals(*actions: Callable[[], None]) -> None:
    """Run `actions`, in order, each time SIGTERM or SIGINT arrives. Call from the main
    thread, once per process (it takes the process's one wakeup fd)."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _ignore_in_python)
    threading.Thread(target=_run_on_signal, args=(read_fd, actions), name="stop-signals",
                     daemon=True).start()


def _ignore_in_python(_signum, _frame) -> None:
    """The Python-level handler: the pipe carries the signal (see the module's docstring)."""


def _run_on_signal(read_fd: int, actions: tuple[Callable[[], None], ...]) -> None:
    while data := os.read(read_fd, 1):
        if data[0] in STOP_SIGNALS:
            log.info("received %s, stopping", signal.Signals(data[0]).name)
            for action in actions:
                action()
