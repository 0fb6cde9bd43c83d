"""One player per data directory: `signage run` killed with -9 takes its children with it,
and a second `signage run` or `signage player` on a data dir in use says who holds it.

Real processes on an emulated panel; waits poll with a deadline and never sleep for time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from signage.store.locks import PLAYER_LOCK, DataDirLock
from tests.conftest import REPO
from tests.test_run import Running, free_port, wait_for

pytestmark = pytest.mark.slow


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie of a child we did not reap counts as gone: it no longer runs.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[-1].startswith("Z")


def second(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signage", *command], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_kill_9_of_signage_run_takes_its_children_and_a_second_run_says_who_holds(tmp_path):
    first = Running(tmp_path)
    try:
        wait_for(first.healthy, 30, "the first `signage run` to answer health")
        children = first.children()
        listen = ["--listen", f"127.0.0.1:{free_port()}"]

        refused = second(["run", *listen], first.env)
        assert refused.returncode != 0
        assert f"pid {first.process.pid}" in refused.stderr, refused.stderr
        refused = second(["player", "--fps", "5"], first.env)
        assert refused.returncode != 0
        assert f"pid {children['player']}" in refused.stderr, refused.stderr

        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
        for name, pid in children.items():
            wait_for(lambda: gone(pid), 15, f"the {name} (pid {pid}) to die with its supervisor")
    finally:
        first.stop()

    first.http = httpx.Client(base_url=first.base, timeout=5)
    again = subprocess.Popen(
        [sys.executable, "-m", "signage", "run", "--listen", f"127.0.0.1:{first.port}"],
        env=first.env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(first.healthy, 30, "the second `signage run` to answer health")
        player = first.children()["player"]
        assert DataDirLock(first.data_dir, PLAYER_LOCK, "player").holder() == player
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=20)
