"""`signage bench`: the JSON document and table a technician reads, on a few tiny runs.

No timing thresholds: only that every scene was really played and every figure is there.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from drivers.emulated import EmulatedPanel
from signage.devtools import bench, scenes, timing
from signage.devtools.naive import NaiveRenderer, font_faces
from signage.clock import FakeClock
from signage.render.fonts import FontBook
from signage.store import Store
from signage.store.assets import asset_file

ROW_KEYS = {"scene", "resolution", "fps", "median_ms", "p99_ms", "max_ms", "rss_mb",
            "naive_median_ms", "speedup"}
FIGURES = ("fps", "median_ms", "p99_ms", "max_ms", "rss_mb")


def run_json(capsys, *options: str) -> dict:
    code = bench.main(["--json", "--resolution", "384x192", *options])
    out, err = capsys.readouterr()
    document = json.loads(out)  # exactly one JSON document on stdout, nothing else
    return {"code": code, "document": document, "stderr": err}


@pytest.mark.parametrize("scene", ["a", "b", "c", "d"])
def test_each_scene_is_played_and_reported(capsys, scene):
    run = run_json(capsys, "--scene", scene, "--frames", "40", "--playlist-frames", "150")
    document = run["document"]
    assert document["errors"] == [] and run["code"] == 0
    [row] = document["scenes"]
    assert set(row) == ROW_KEYS
    assert (row["scene"], row["resolution"]) == (scene, "384x192")
    assert all(isinstance(row[key], (int, float)) and row[key] > 0 for key in FIGURES)
    assert row["max_ms"] >= row["p99_ms"] >= row["median_ms"]
    if scene == "d":
        assert row["naive_median_ms"] is None and row["speedup"] is None
    else:
        assert row["naive_median_ms"] > 0 and row["speedup"] > 0
    # The figures are only worth something if the scene itself was on the panel.
    assert not [n for n in document["notes"] if "not 'playing'" in n or "player:" in n]
    assert f"bench: {scene} 384x192:" in run["stderr"]  # progress, one line per run


def test_crossfade_scene_times_frames_that_are_blends(capsys):
    document = run_json(capsys, "--scene", "c", "--frames", "60", "--no-naive")["document"]
    [verdict] = [n for n in document["notes"] if "mid-crossfade frames showed a blend" in n]
    blended, checked = (int(word) for word in verdict.split(":")[-1].split()[:3:2])
    assert checked > 0 and blended == checked


def test_no_naive_leaves_the_reference_fields_null_and_rows_in_order(capsys):
    document = run_json(capsys, "--scene", "a,d", "--frames", "5", "--playlist-frames", "5",
                        "--no-naive", "--in-process")["document"]
    assert [row["scene"] for row in document["scenes"]] == ["a", "d"]
    assert all(row["naive_median_ms"] is None and row["speedup"] is None
               for row in document["scenes"])
    assert {"python", "pygame", "machine", "frames"} <= set(document)


def test_the_table_has_a_header_and_aligned_columns(capsys):
    assert bench.main(["--scene", "a", "--resolution", "384x192", "--frames", "5",
                       "--in-process"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header, row = lines[0].split(), lines[1].split()
    assert header == ["scene", "resolution", "fps", "median_ms", "p99_ms", "max_ms", "rss_mb",
                      "naive_median_ms", "speedup"]
    assert row[:2] == ["a", "384x192"] and float(row[-1]) > 0
    assert len(lines[0].rstrip()) == len(lines[1].rstrip())  # right-aligned under the header


@pytest.mark.parametrize("options, named", [
    (["--scene", "a,q"], "'q'"),
    (["--resolution", "384by192"], "'384by192'"),
    (["--frames", "0"], "--frames"),
])
def test_bad_options_are_refused_by_name(capsys, options, named):
    assert bench.main(options) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and named in err


def test_a_scene_that_cannot_play_is_reported_not_hidden(capsys, monkeypatch):
    def broken(spec):
        raise RuntimeError("compositor exploded")

    monkeypatch.setattr(bench, "measure", broken)
    run = run_json(capsys, "--scene", "a", "--frames", "3", "--in-process")
    assert run["code"] == 1
    assert run["document"]["errors"] == [
        {"scene": "a", "resolution": "384x192", "error": "compositor exploded"}]
    [row] = run["document"]["scenes"]
    assert row["median_ms"] is None and row["scene"] == "a"


@pytest.mark.parametrize("elapsed, timed", [
    (0.5, False),   # first item: nothing to fade from
    (1.05, False),  # fade just begun
    (1.4, True),    # mid-fade
    (1.75, False),  # fade nearly done
    (1.9, False),   # settled
    (2.4, True),
])
def test_only_mid_crossfade_frames_are_timed_in_scene_c(elapsed, timed):
    assert timing._in_fade(elapsed) is timed


def test_naive_reference_draws_the_scene_every_frame(settings):
    """The reference must really draw (a blank frame would make any speed-up look good)."""
    size = (384, 192)
    scenes.prepare("c", size, settings.data_dir)
    store = Store(settings.data_dir, FakeClock())
    playlist = store.content.live_content().playlist
    store.close()
    renderer = NaiveRenderer(size, playlist, lambda ref: asset_file(settings.assets_dir, ref),
                             font_faces(FontBook()))
    panel = EmulatedPanel(size)
    panel.open()
    now = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.timezone.utc)
    renderer.present(panel, 1.4, now)  # halfway through the red -> blue crossfade
    frame = panel.last_frame()
    r, _g, b, _a = frame.get_at((size[0] // 4, size[1] // 2))
    assert r >= 40 and b >= 40
    strip = [frame.get_at((x, 165)) for x in range(0, size[0], 2)]
    assert any(min(p[:3]) > 200 for p in strip)  # white ticker text on the black strip
    renderer.present(panel, 1.5, now)
    moved = [panel.last_frame().get_at((x, 165)) for x in range(0, size[0], 2)]
    assert moved != strip  # the ticker crawled


@pytest.mark.parametrize("size", [(768, 384), (1920, 1080)])
@pytest.mark.parametrize("scene", ["a", "b"])
def test_message_scenes_pass_the_checks_at_the_door(scene, size, settings):
    """The bench measures content staff could publish, not text the validator refuses.
    (Not at 384x192: no split of its 192 rows gives both the message and the two-row ticker
    of scene b 16 px Chinese; the bench still times it there, for comparison.)"""
    from signage.render.checks import Limits, check_playlist, fonts_for

    refs = iter(f"sha256:{n:064x}" for n in range(100))
    playlist = scenes.scene_playlist(scene, size, lambda _data: next(refs))
    found = check_playlist(playlist, fonts_for(settings), size,
                           limits=Limits.from_settings(settings))
    assert found.errors == []


def test_film_bench_steps_every_tick_from_warmup_into_the_timed_run():
    """The timed run goes on with the tick whose time came while the bench read its
    counters; skipping it unseen made a film frame count as dropped by the decoder."""
    from signage.devtools.filmbench import LOOP_FPS, _paced

    clock = FakeClock()

    class Stepped:
        tick_origin = None
        steps: list[float] = []

        def step(self):
            self.steps.append(clock.monotonic())

    player = Stepped()
    _paced(player, clock, 3 / LOOP_FPS)
    clock.advance(0.002)  # the counters read between warm-up and timed run
    _times, missed, _wall, _own = _paced(player, clock, 3 / LOOP_FPS)
    ticks = [int((at - player.tick_origin) * LOOP_FPS + 1e-6) for at in player.steps]
    assert ticks == [0, 1, 2, 3, 4, 5]
    assert missed == 0
