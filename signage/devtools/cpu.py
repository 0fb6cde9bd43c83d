"""CPU time of processes as Linux accounts it (/proc/PID/stat: utime + stime), so a bench
can say what a process tree cost over a wall interval, whatever else the machine runs."""

from __future__ import annotations

import os
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")
X_SERVERS = (b"Xorg", b"Xvfb", b"X", b"Xwayland")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields after the command name (which may hold spaces), or None if it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def cpu_ticks(pid: int) -> int | None:
    """User plus system clock ticks the process (all its threads) has used so far."""
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[11]) + int(fields[12])


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def tree_ticks(root: int) -> dict[int, int]:
    """Ticks used so far by each process of the tree under `root`."""
    ticks = {pid: cpu_ticks(pid) for pid in process_tree(root)}
    return {pid: used for pid, used in ticks.items() if used is not None}


def seconds_between(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU-seconds used from `before` to `after` by the processes alive at the end (one
    born in between counts from zero; one that ended took its time with it)."""
    return sum(used - before.get(pid, 0) for pid, used in after.items()) / TICKS_PER_S


def find_x_server(display: str) -> int | None:
    """The pid of the X server of `display` (':N'): from the lock file an X server started
    on a given number writes (/tmp/.XN-lock), else the X server whose arguments name it."""
    number = display.rpartition(":")[2].split(".")[0]
    try:
        pid = int(Path(f"/tmp/.X{number}-lock").read_text().strip())
        if cpu_ticks(pid) is not None:
            return pid
    except (OSError, ValueError):
        pass
    for entry in PROC.iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if args and os.path.basename(args[0]) in X_SERVERS and f":{number}".encode() in args:
            return int(entry.name)
    return None
