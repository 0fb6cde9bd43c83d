"""Timing the real player on a scene: one measuring run (`measure`), in this process or
in a fresh one (`_child`), and the naive Pillow reference drawn beside it.

A FakeClock moves content time 1/60 s per frame while `time.perf_counter` measures what
each `player.step()` costs. Heavy imports (pygame, Pillow, the player) happen inside the
functions that run frames, so building the CLI parser stays cheap.
"""

from __future__ import annotations

import dataclasses
import json
import math
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from signage.clock import SystemClock
from signage.content.models import Playlist
from signage.devtools.scenes import FADE_ITEM_S, FADE_S, FILM_PANELS, START, live_playlist
from signage.player.status import status_document

FRAME_S = 1 / 60  # content time per frame
# 2 s of content: the player loads the playlist, waits up to 1 s for its first pictures
# and fades it in from the standby card; timing starts after that.
WARMUP_FRAMES = 120
NAIVE_FRAMES = 120  # the naive loop is slow and steady; its median settles quickly
FADE_WINDOW = (0.1, 0.9)  # timed part of each fade, as fractions of FADE_S


@dataclasses.dataclass(frozen=True)
class Spec:
    """One scene at one resolution, as handed to a measuring process."""

    scene: str
    width: int
    height: int
    frames: int
    playlist_frames: int
    naive: bool
    data_dir: str
    runtime_dir: str
    fonts: dict
    realtime: bool = False

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)


def _in_fade(elapsed: float) -> bool:
    """Scene c: is content time `elapsed` in the middle of a crossfade (not the first item)?"""
    item, into = divmod(elapsed + 1e-9, FADE_ITEM_S)
    return item >= 1 and FADE_WINDOW[0] * FADE_S <= into <= FADE_WINDOW[1] * FADE_S


def _time_frames(step: Callable[[], object], clock, count: int, warmup: int,
                 wanted: Callable[[float], bool], started: float,
                 after: Callable[[float, object], None] | None = None,
                 realtime: bool = False,
                 busy: Callable[[], bool] | None = None) -> list[tuple[float, float]]:
    """(milliseconds, content time) of `count` wanted frames, after `warmup` frames; the
    clock moves 1/60 s each. `after(elapsed, frame)` sees each timed frame, untimed.
    `realtime` sleeps out each frame's 1/60 s, as the paced player loop does; otherwise
    a frame's 1/60 s is slept out only while `busy()` says background work is waiting."""
    idle = SystemClock()
    times: list[tuple[float, float]] = []
    stepped = 0
    while len(times) < count:
        clock.advance(FRAME_S)
        elapsed = clock.monotonic() - started
        begun = time.perf_counter()  # wall time is what we measure; content time is faked
        frame = step()
        spent = time.perf_counter() - begun
        stepped += 1
        if stepped > warmup and wanted(elapsed):
            times.append((spent * 1000, elapsed))
            if after:
                after(elapsed, frame)
        if realtime or (busy is not None and busy()):
            idle.sleep(FRAME_S - (time.perf_counter() - begun))
        if stepped > 20 * (count + warmup):
            raise RuntimeError("the timing window was never reached; check the scene timing")
    return times


def _summary(times: list[tuple[float, float]]) -> dict:
    ordered = sorted(ms for ms, _elapsed in times)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
    return {
        "fps": round(1000 / statistics.fmean(ordered), 1),
        "median_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(ordered[-1], 3),
    }


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS); it is this process's peak so far.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, 1)


def measure(spec: Spec) -> dict:
    """One result row (and notes) for `spec`: our player first, then the naive reference."""
    if spec.scene in FILM_PANELS:  # films play in real time (devtools.filmbench)
        from signage.devtools.filmbench import measure_film

        return measure_film(spec)
    from drivers.emulated import EmulatedPanel
    from signage.clock import FakeClock
    from signage.player.loop import build_player
    from signage.settings import Settings

    settings = Settings(data_dir=Path(spec.data_dir), runtime_dir=Path(spec.runtime_dir),
                        driver=f"emulated://{spec.width}x{spec.height}", fps=60.0,
                        fonts=dict(spec.fonts))
    clock = FakeClock(START)
    driver = EmulatedPanel(spec.size)
    driver.open()
    player = build_player(settings, clock, driver)
    started = clock.monotonic() + FRAME_S  # the first step loads the playlist
    notes: list[str] = []
    probe = _FadeProbe(spec.size, driver) if spec.scene == "c" else None
    busy = _background_busy(player)
    try:
        _time_frames(player.step, clock, WARMUP_FRAMES, 0, _always, started,
                     realtime=spec.realtime, busy=busy)
        # Item times count from when the playlist began to show, not from our first frame.
        started += _playing_since(player, live_playlist(settings), clock, started)
        count = spec.playlist_frames if spec.scene == "d" else spec.frames
        wanted = _in_fade if spec.scene == "c" else _always
        times = _time_frames(player.step, clock, count, 0, wanted, started,
                             probe.look if probe else None, spec.realtime, busy)
        notes += _player_notes(player, clock) + [_slowest(times)]
    finally:
        player.snapshots.close()
        getattr(player.compositor, "close", lambda: None)()  # its prefetch worker
        driver.close()
    row = {"scene": spec.scene, "resolution": f"{spec.width}x{spec.height}", **_summary(times),
           "rss_mb": _peak_rss_mb(), "naive_median_ms": None, "speedup": None}
    if probe:
        notes.append(probe.verdict())
    if spec.naive and spec.scene != "d":
        naive_times = _run_naive(spec, settings)
        row["naive_median_ms"] = round(statistics.median(ms for ms, _ in naive_times), 3)
        row["speedup"] = round(row["naive_median_ms"] / max(row["median_ms"], 1e-6), 1)
    return {"row": row, "notes": notes}


def _always(_elapsed: float) -> bool:
    return True


def _background_busy(player) -> Callable[[], bool]:
    """Whether the player's worker threads (picture prefetch, snapshot writer) have work.

    Content time here runs far faster than real time (a static 1920x1080 frame costs
    about 0.02 ms, so a 2 s item passes in a few milliseconds), which would leave the
    prefetch worker no time to decode the next picture before it is due: the frame
    loop would then wait for it, a stall the paced player never sees. So while there
    is background work, each frame's 1/60 s is slept out (untimed) as the player does.
    """
    parts = [getattr(player.compositor, "busy", None), getattr(player.snapshots, "busy", None)]
    checks = [part for part in parts if callable(part)]
    return lambda: any(check() for check in checks)


def _playing_since(player, playlist: Playlist, clock, started: float) -> float:
    """Seconds after `started` at which the main zone's first item began (read from the
    status document, which says how long the current item has left)."""
    zone = status_document(player, clock.monotonic())["zones"][0]
    if zone["index"] is None:
        raise RuntimeError(f"after {WARMUP_FRAMES} frames the panel still shows standby")
    durations = [item.duration for item in playlist.zones()[0].items]
    into = durations[zone["index"]] - zone["remaining_s"]
    return clock.monotonic() - started - sum(durations[:zone["index"]]) - into


def _slowest(times: list[tuple[float, float]], count: int = 3) -> str:
    """Where the worst frames fell in content time (to tell item changes from noise)."""
    worst = sorted(times, reverse=True)[:count]
    return "slowest frames: " + ", ".join(f"{ms:.1f} ms at {at:.2f} s" for ms, at in worst)


class _FadeProbe:
    """Checks that scene c's timed frames really are blends of the two images."""

    def __init__(self, size: tuple[int, int], panel):
        # Left of centre: inside the main zone, clear of the ticker and clock zones.
        self.point = (size[0] // 4, size[1] // 2)
        self.panel = panel
        self.blended = self.checked = 0

    def look(self, elapsed: float, _frame) -> None:
        # What the panel shows, read now (outside the timed span), not what step() returned.
        if 0.3 <= (elapsed + 1e-9) % FADE_ITEM_S / FADE_S <= 0.7:
            r, _g, b, *_ = self.panel.last_frame().get_at(self.point)
            self.checked += 1
            # The red image has blue < 30, the blue image red < 30: a blend has both.
            self.blended += r >= 40 and b >= 40

    def verdict(self) -> str:
        if not self.checked:
            return "no timed frame was 30-70% into a crossfade, so none was checked"
        return (f"{self.blended} of {self.checked} mid-crossfade frames showed a blend "
                "of the two images" + ("" if self.blended else
                                       " (the compositor did not crossfade: figures are not "
                                       "mid-crossfade frames; re-run once it does)"))


def _player_notes(player, clock) -> list[str]:
    """Anything that means the timed frames were not the scene (standby, skipped items)."""
    notes = [f"player: {error['message']}" for error in list(getattr(player, "errors", ()))]
    try:
        state = status_document(player, clock.monotonic()).get("state")
    except Exception as exc:  # the status document is a courtesy here, not the measurement
        return notes + [f"player status unavailable: {exc}"]
    if state != "playing":
        notes.append(f"player state was {state!r}, not 'playing': the scene was not shown")
    return notes


# --- the naive reference ---------------------------------------------------------------


def _run_naive(spec: Spec, settings) -> list[float]:
    from drivers.emulated import EmulatedPanel
    from signage.devtools.naive import NaiveRenderer, font_faces
    from signage.clock import FakeClock
    from signage.render.fonts import FontBook
    from signage.store.assets import asset_file

    faces = font_faces(FontBook(settings.fonts))
    renderer = NaiveRenderer(spec.size, live_playlist(settings),
                             lambda ref: asset_file(settings.assets_dir, ref), faces)
    clock = FakeClock(START)
    driver = EmulatedPanel(spec.size)
    driver.open()
    started = clock.monotonic() + FRAME_S
    wanted = _in_fade if spec.scene == "c" else _always
    return _time_frames(lambda: renderer.present(driver, clock.monotonic() - started, clock.now()),
                        clock, min(spec.frames, NAIVE_FRAMES), 5, wanted, started)


def _child() -> int:
    """Entry point of a measuring process: a Spec as JSON on stdin, a result on stdout."""
    spec = Spec(**json.load(sys.stdin))
    print(json.dumps(measure(spec)))
    return 0
