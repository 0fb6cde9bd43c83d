"""`signage bench --present`: a short real run (its own Xvfb, the real player on the HDMI
driver, the bare loops) and the CPU accounting it rests on. No thresholds: only that every
row was really measured (the player played on a live link) and every figure is there."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from signage.devtools import bench, cpu, present
from signage.devtools.xvfb import xvfb_missing


def test_a_process_tree_is_the_process_and_its_descendants():
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys; "
                              "subprocess.run([sys.executable, '-c', 'input()'])"],
                             stdin=subprocess.PIPE)
    try:
        for _ in range(500):  # until the grandchild exists (a real process starting)
            tree = cpu.process_tree(child.pid)
            if len(tree) == 2:
                break
            subprocess.run(["true"])
        assert tree[0] == child.pid and len(tree) == 2
        assert all(cpu.cpu_ticks(pid) is not None for pid in tree)
        assert set(cpu.tree_ticks(child.pid)) == set(tree)
    finally:
        child.communicate(b"\n")
    assert cpu.cpu_ticks(child.pid) is None  # gone: no figure, not an error


def test_cpu_seconds_count_the_processes_alive_at_the_end():
    ticks = cpu.TICKS_PER_S
    before = {1: 10 * ticks, 2: 5 * ticks}
    after = {1: 12 * ticks, 3: ticks}  # 2 ended, 3 was born
    assert cpu.seconds_between(before, after) == 3.0


def test_the_x_server_is_found_by_its_display_number():
    if xvfb_missing():
        pytest.skip(xvfb_missing())
    from signage.devtools.xvfb import Xvfb

    number = next(n for n in range(90, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}")
                  and not os.path.exists(f"/tmp/.X{n}-lock"))
    server = Xvfb((64, 64), number).start()  # on a given number, as a real X is
    try:
        assert cpu.find_x_server(server.display) == server.process.pid
    finally:
        server.stop()


def test_a_short_run_measures_the_player_and_the_bare_loops(capsys, monkeypatch):
    if xvfb_missing():
        if os.environ.get("CI"):
            pytest.fail(xvfb_missing())
        pytest.skip(xvfb_missing())
    monkeypatch.delenv("DISPLAY", raising=False)  # the bench starts an Xvfb of its own
    monkeypatch.setattr(present, "WARMUP_S", 0.5)
    code = bench.main(["--present", "--json", "--scene", "still,cards", "--resolution",
                       "384x192", "--seconds", "0.5"])
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert code == 0 and document["errors"] == [], err
    assert document["x_server"] == "Xvfb started here"
    rows = {(row["what"], row["panel"]): row for row in document["rows"]}
    assert set(rows) == {("still", "384x192"), ("cards", "384x192"),
                         ("bare full-frame flip, SDL defaults", "1920x1080"),
                         ("bare full-frame flip, XShm", "1920x1080")}
    for row in rows.values():
        assert row["player_cpu"] >= 0 and row["x_cpu"] >= 0 and row["seconds"] >= 0.5
        assert row["total"] == pytest.approx(row["player_cpu"] + row["x_cpu"], abs=1e-3)
    assert rows[("cards", "384x192")]["present"] == "surface"
    assert rows[("cards", "384x192")]["fps"] > 0  # the loop ran while it was measured
    assert rows[("still", "384x192")]["target"] == 0.02
    assert all(row["frames"] > 0 for what, row in rows.items() if what[0].startswith("bare"))
    table = present.format_table(document)
    assert table.splitlines()[0].split() == list(present.ROW_KEYS)


def test_an_unknown_present_scene_is_refused_by_name(capsys):
    assert bench.main(["--present", "--scene", "a"]) == 2
    assert "unknown scene 'a' for --present; choose from cards, still" in capsys.readouterr().err
