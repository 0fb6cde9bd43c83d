"""A lower CPU priority for the threads that work beside the frame loop.

On a 2-core box a frame that wakes while the snapshot's PNG, proof of play's hash and
the next picture's decode all run can wait several milliseconds for a core (scene g's
slowest frame: 4.8 ms of its own work, 9.6 ms on the clock). With those threads at a
higher nice value the scheduler gives the frame loop the core first; they still have
every idle moment, which on a playing wall is most of them.
"""

from __future__ import annotations

import functools
import os
import threading

PREFETCH_NICENESS = 5  # the next picture has a deadline (it is due in about a second)
BACKGROUND_NICENESS = 10  # snapshots and proof-of-play hashes have none


def lower_thread(native_id: int, by: int) -> bool:
    """Raise a thread's nice value `by` over the process's (on Linux a thread's nice value
    is its own, and threads it starts inherit it). False where that cannot be done (not
    Linux, or not allowed): the thread keeps the loop's priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, native_id, os.getpriority(os.PRIO_PROCESS, 0) + by)
    except (AttributeError, OSError):
        return False
    return True


def lower_this_thread(by: int) -> bool:
    return lower_thread(threading.get_native_id(), by)


def lowered(by: int):
    """An initializer for a thread pool whose threads run `by` nice levels lower."""
    return functools.partial(lower_this_thread, by)
