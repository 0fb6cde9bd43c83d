"""`signage bench`: what a frame of the real player costs, beside a naive Pillow loop.

Each scene is a real playlist published into a Store in a temp data dir and played by the
real Player (Compositor, FontBook from settings, the emulated panel as the sink). A
FakeClock moves content time 1/60 s per frame while `time.perf_counter` measures what each
`player.step()` costs: compositing plus `driver.present()`, i.e. the frame as the driver
takes it. The naive reference (scenes a-c) draws the same playlist with Pillow alone,
re-drawing all text and re-compositing every frame, then converts to a pygame Surface and
presents it to the same driver. Each scene and resolution runs in a fresh process so
`rss_mb` is that run's own peak (measured before the naive reference runs).

Heavy imports (pygame, Pillow, the player) happen inside the functions that run frames, so
building the CLI parser stays cheap.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from signage.clock import SystemClock
from signage.errors import SignageError
from signage.content.models import (
    ClockItem, ImageItem, Message, MessageItem, Playlist, TickerItem, Transition, Zone,
)

SCENES = {
    "a": "static message over an image",
    "b": "message + moving ticker (main zone + ticker strip)",
    "c": "crossfade between two full-panel images, with ticker and clock zones",
    "d": "50-item image playlist, 2 s items, item changes included",
}
RESOLUTIONS = ((384, 192), (768, 384), (1920, 1080))
FRAME_S = 1 / 60  # content time per frame
# Every fake clock (the store's stamps, the player's) starts here, so no one sees time go back.
START = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.timezone.utc)
DEFAULT_FRAMES = 300
# 2 s of content: the player loads the playlist, waits up to 1 s for its first pictures
# and fades it in from the standby card; timing starts after that.
WARMUP_FRAMES = 120
NAIVE_FRAMES = 120  # the naive loop is slow and steady; its median settles quickly
PLAYLIST_ITEMS = 50
PLAYLIST_ITEM_S = 2.0
# One full pass through scene d, so every item change and the byte-bounded cache are seen.
PLAYLIST_FRAMES = round(PLAYLIST_ITEMS * PLAYLIST_ITEM_S / FRAME_S)
FADE_ITEM_S = 1.0  # scene c: each image shows this long...
FADE_S = 0.8  # ...and fades in over this long, so most frames are fade frames
FADE_WINDOW = (0.1, 0.9)  # timed part of each fade, as fractions of FADE_S

ROW_KEYS = ("scene", "resolution", "fps", "median_ms", "p99_ms", "max_ms", "rss_mb",
            "naive_median_ms", "speedup")
TIMED = {
    "a": "every frame after warm-up (nothing moves: the cost of a static frame)",
    "b": "every frame after warm-up (steady state: only the ticker moves)",
    "c": (f"only mid-crossfade frames: images change every {FADE_ITEM_S:g} s with a "
          f"{FADE_S:g} s crossfade; frames {FADE_WINDOW[0]:.0%}-{FADE_WINDOW[1]:.0%} into "
          "each fade are timed (ticker and clock run too)"),
    "d": (f"every frame of one full pass ({PLAYLIST_FRAMES} frames by default), item changes "
          "and their crossfades included"),
}

WELCOME = Message(vi="Cửa khẩu Thanh Thủy", en="Thanh Thuy Border Gate", zh="清水口岸")
NOTICE = Message(
    vi="Cửa khẩu mở cửa từ 7:00 đến 19:00 hằng ngày. Vui lòng chuẩn bị hộ chiếu.",
    en="The border gate is open daily from 7:00 to 19:00. Please have your passport ready.",
    zh="口岸每日7:00至19:00开放。请准备好护照。",
)


class BenchError(SignageError):
    """A bench option that cannot be used; the message says which and what to write."""


# --- content ---------------------------------------------------------------------------


def _picture(size: tuple[int, int], seed: int, tint: str | None = None) -> bytes:
    """A distinct smooth JPEG at `size`; `tint` 'red'/'blue' makes crossfades measurable."""
    from PIL import Image
    import io

    rng = random.Random(seed)
    pixels = bytearray()
    for _ in range(16 * 9):
        r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
        if tint == "red":
            r, b = 160 + r % 96, b % 30
        elif tint == "blue":
            r, b = r % 30, 160 + b % 96
        pixels += bytes((r, g, b))
    image = Image.frombytes("RGB", (16, 9), bytes(pixels)).resize(size, Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _ticker_speed(size: tuple[int, int]) -> float:
    # The same crawl across resolutions: a sixth of the panel width per second.
    return float(min(2000, max(10, round(size[0] / 6))))


def scene_playlist(scene: str, size: tuple[int, int],
                   add_asset: Callable[[bytes], str]) -> Playlist:
    """The playlist for `scene` at `size`; images go through `add_asset` (a Store's)."""
    hour = 3600.0  # long enough that nothing changes while frames are timed
    if scene == "a":
        background = add_asset(_picture(size, 1))
        return Playlist(name="bench-a", items=[
            MessageItem(kind="message", text=WELCOME, background=background, duration=hour)])
    ticker = TickerItem(kind="ticker", text=NOTICE, speed=_ticker_speed(size), duration=hour)
    if scene == "b":
        background = add_asset(_picture(size, 1))
        return Playlist(name="bench-b", layout=[
            Zone(zone="main", rect=("0%", "0%", "100%", "72%"), items=[
                MessageItem(kind="message", text=WELCOME, background=background, duration=hour)]),
            Zone(zone="ticker", rect=("0%", "72%", "100%", "28%"), items=[ticker]),
        ])
    if scene == "c":
        first, second = add_asset(_picture(size, 2, "red")), add_asset(_picture(size, 3, "blue"))
        # The images fill the panel; ticker and clock zones lie on top, later zones above.
        return Playlist(name="bench-c", transition=Transition(kind="crossfade", duration=FADE_S),
                        layout=[
            Zone(zone="main", rect=("0%", "0%", "100%", "100%"), items=[
                ImageItem(kind="image", asset=first, fit="cover", duration=FADE_ITEM_S),
                ImageItem(kind="image", asset=second, fit="cover", duration=FADE_ITEM_S)]),
            Zone(zone="ticker", rect=("0%", "72%", "100%", "28%"), items=[ticker]),
            Zone(zone="clock", rect=("60%", "0%", "40%", "40%"), items=[
                ClockItem(kind="clock", duration=hour)]),
        ])
    if scene == "d":
        refs = [add_asset(_picture(size, 100 + n)) for n in range(PLAYLIST_ITEMS)]
        return Playlist(name="bench-d", items=[
            ImageItem(kind="image", asset=ref, fit="cover", duration=PLAYLIST_ITEM_S)
            for ref in refs])
    raise BenchError(f"unknown scene {scene!r}; choose from {', '.join(SCENES)}")


def prepare(scene: str, size: tuple[int, int], data_dir: Path) -> None:
    """Publish the scene's playlist and images into a fresh store in `data_dir`."""
    from signage.clock import FakeClock
    from signage.store.database import Store

    store = Store(data_dir, FakeClock(START))
    try:
        store.publish_playlist(scene_playlist(scene, size, store.add_asset), author="bench")
    finally:
        store.close()


# --- measuring ------------------------------------------------------------------------


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
        started += _playing_since(player, _live_playlist(settings), clock, started)
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


def _live_playlist(settings) -> Playlist:
    from signage.clock import FakeClock
    from signage.store.database import Store

    store = Store(settings.data_dir, FakeClock(START))
    try:
        return store.live_content().playlist
    finally:
        store.close()


# --- the naive reference ---------------------------------------------------------------


def _run_naive(spec: Spec, settings) -> list[float]:
    from drivers.emulated import EmulatedPanel
    from signage.devtools.naive import NaiveRenderer, font_faces
    from signage.clock import FakeClock
    from signage.render.fonts import FontBook
    from signage.store.database import asset_file

    faces = font_faces(FontBook(settings.fonts))
    renderer = NaiveRenderer(spec.size, _live_playlist(settings),
                             lambda ref: asset_file(settings.assets_dir, ref), faces)
    clock = FakeClock(START)
    driver = EmulatedPanel(spec.size)
    driver.open()
    started = clock.monotonic() + FRAME_S
    wanted = _in_fade if spec.scene == "c" else _always
    return _time_frames(lambda: renderer.present(driver, clock.monotonic() - started, clock.now()),
                        clock, min(spec.frames, NAIVE_FRAMES), 5, wanted, started)


# --- running scenes in fresh processes -------------------------------------------------


def _child() -> int:
    """Entry point of a measuring process: a Spec as JSON on stdin, a result on stdout."""
    spec = Spec(**json.load(sys.stdin))
    print(json.dumps(measure(spec)))
    return 0


def _measure_in_child(spec: Spec) -> dict:
    repo = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYGAME_HIDE_SUPPORT_PROMPT="1",
               PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from signage.devtools.bench import _child; sys.exit(_child())"],
        input=json.dumps(dataclasses.asdict(spec)), capture_output=True, text=True, env=env,
    )
    if done.returncode != 0 or not done.stdout.strip():
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"measuring process failed (exit {done.returncode}): {tail}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # Warnings the player logged (a skipped item, a clock in doubt) can explain a figure.
    logged = [line for line in done.stderr.splitlines() if line.strip()]
    result["notes"] += [f"logged: {line}" for line in logged[:5]]
    return result


def _empty_row(scene: str, size: tuple[int, int]) -> dict:
    row = dict.fromkeys(ROW_KEYS)
    row.update(scene=scene, resolution=f"{size[0]}x{size[1]}")
    return row


def run_bench(scenes: Iterable[str] = tuple(SCENES), resolutions: Iterable = RESOLUTIONS,
              frames: int = DEFAULT_FRAMES, json_out: bool | None = None,
              progress: Callable[[str], None] | bool | None = None, *, naive: bool = True,
              playlist_frames: int | None = None, isolate: bool = True,
              realtime: bool = False) -> dict:
    """Run `scenes` at `resolutions` and return the JSON document (printed as JSON when
    json_out is True, as a table when False). `isolate` runs each in a fresh process;
    `realtime` paces frames at 60 fps of wall time (see --realtime)."""
    scenes = [_check_scene(s) for s in scenes]
    sizes = [parse_resolution(r) if isinstance(r, str) else tuple(r) for r in resolutions]
    if frames < 1 or (playlist_frames is not None and playlist_frames < 1):
        raise BenchError("--frames and --playlist-frames must be at least 1")
    say = _progress_printer(progress)
    fonts = _settings_fonts()
    document = {"scenes": [], **_machine(), "frames": frames, "warmup_frames": WARMUP_FRAMES,
                "playlist_frames": playlist_frames or max(frames, PLAYLIST_FRAMES),
                "naive_frames": min(frames, NAIVE_FRAMES) if naive else None,
                "content_fps": 60, "realtime": realtime,
                "isolation": ("one fresh process per scene and resolution" if isolate
                              else "none: rss_mb is the whole run's peak so far"),
                "timed": {s: TIMED[s] for s in scenes}, "notes": [], "errors": []}
    with tempfile.TemporaryDirectory(prefix="signage-bench-") as root:
        for scene in scenes:
            for size in sizes:
                label = f"{scene} {size[0]}x{size[1]}"
                spec = Spec(scene, size[0], size[1], frames, document["playlist_frames"], naive,
                            str(Path(root, f"{scene}-{size[0]}x{size[1]}", "data")),
                            str(Path(root, f"{scene}-{size[0]}x{size[1]}", "run")), fonts,
                            realtime)
                try:
                    prepare(scene, size, Path(spec.data_dir))
                    result = _measure_in_child(spec) if isolate else measure(spec)
                except Exception as exc:  # one broken scene must not hide the others
                    document["scenes"].append(_empty_row(scene, size))
                    document["errors"].append({"scene": scene, "resolution": label.split()[1],
                                               "error": str(exc)})
                    say(f"bench: {label}: FAILED: {exc}")
                    continue
                document["scenes"].append(result["row"])
                document["notes"] += [f"{label}: {note}" for note in result["notes"]]
                say(f"bench: {label}: {_progress_line(result['row'])}")
    # Last: a measuring process started after this would inherit its memory in ru_maxrss.
    document["machine"]["calibration_ms"] = calibration()
    if json_out is True:
        print(json.dumps(document, ensure_ascii=False, indent=1))
    elif json_out is False:
        print(format_table(document))
    return document


def _check_scene(scene: str) -> str:
    if scene not in SCENES:
        raise BenchError(f"unknown scene {scene!r}; choose from {', '.join(SCENES)}")
    return scene


def parse_resolution(text: str) -> tuple[int, int]:
    """'768x384' -> (768, 384)."""
    w, sep, h = text.strip().lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and 16 <= int(w) <= 8192 and 16 <= int(h) <= 8192):
        raise BenchError(f"resolution {text!r}: write WIDTHxHEIGHT, e.g. 768x384 (16 to 8192 each)")
    return int(w), int(h)


def _settings_fonts() -> dict:
    from signage.settings import Settings

    return dict(Settings.from_env().fonts)


def _progress_printer(progress) -> Callable[[str], None]:
    if callable(progress):
        return progress
    if progress:
        return lambda line: print(line, file=sys.stderr, flush=True)
    return lambda _line: None


def _progress_line(row: dict) -> str:
    line = f"median {row['median_ms']:.3f} ms, max {row['max_ms']:.3f} ms, {row['rss_mb']} MB"
    if row["naive_median_ms"] is not None:
        line += f"; naive {row['naive_median_ms']:.3f} ms ({row['speedup']}x)"
    return line


def _machine() -> dict:
    import PIL
    import pygame

    from signage.render.blend import KERNEL

    return {"machine": {"platform": platform.platform(), "arch": platform.machine(),
                        "cpus": os.cpu_count()},
            "python": platform.python_version(), "pygame": pygame.version.ver,
            "sdl": ".".join(map(str, pygame.get_sdl_version())), "pillow": PIL.__version__,
            "blend": KERNEL}


def calibration(size: tuple[int, int] = (1920, 1080), rounds: int = 15) -> dict:
    """Median times of the primitives every frame is made of, on this machine now, so
    figures from machines of different speed (or load) can be compared fairly."""
    import pygame

    from signage.render.blend import blend_into

    before, after, frame = (pygame.Surface(size) for _ in range(3))
    before.fill((200, 30, 40))
    after.fill((10, 220, 90))

    def blend(step: int, native: bool = True) -> None:
        # Weights away from 128: SDL has a fast path for exactly half.
        blend_into(frame, (0, 0), before, after, 20 + 7 * step, native=native)

    primitives = {
        "blit": lambda step: frame.blit(before, (0, 0)),
        "crossfade": blend,  # as the compositor draws it (see "blend" in the document)
        "sdl_crossfade": lambda step: blend(step, native=False),
        "tobytes_rgb": lambda step: pygame.image.tobytes(frame, "RGB"),
        "tobytes_rgbx": lambda step: pygame.image.tobytes(frame, "RGBX"),
    }
    figures = {}
    for name, run in primitives.items():
        times = []
        for step in range(rounds):
            begun = time.perf_counter()
            run(step)
            times.append((time.perf_counter() - begun) * 1000)
        figures[name] = round(statistics.median(times), 3)
    return figures


def format_table(document: dict) -> str:
    """The human table: a header line, one aligned row per scene and resolution."""
    headers = ROW_KEYS
    cells = [[_cell(key, row[key]) for key in headers] for row in document["scenes"]]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    lines = [_aligned(headers, widths)] + [_aligned(row, widths) for row in cells]
    machine = document["machine"]
    lines.append("")
    lines.append(f"python {document['python']}, pygame {document['pygame']} "
                 f"(SDL {document['sdl']}), Pillow {document['pillow']}, {machine['arch']}, "
                 f"{machine['cpus']} CPUs; {document['isolation']}")
    lines.append(f"crossfade blend: {document['blend']} "
                 f"({'C loop, signage.render._blend' if document['blend'] == 'native' else 'SDL'})")
    calibrated = machine.get("calibration_ms")
    if calibrated:
        lines.append("this machine now, 1920x1080 primitives (median ms): " + ", ".join(
            f"{name} {value:.2f}" for name, value in calibrated.items()))
    lines += [f"timed, scene {s}: {what}" for s, what in document["timed"].items()]
    lines += [f"note: {note}" for note in document["notes"]]
    lines += [f"error: {e['scene']} {e['resolution']}: {e['error']}" for e in document["errors"]]
    return "\n".join(lines)


def _aligned(cells, widths) -> str:
    # scene and resolution to the left, figures (and their headings) to the right
    return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(cells, widths))).rstrip()


def _cell(key: str, value) -> str:
    if value is None:
        return "-"
    if key.endswith("_ms"):
        return f"{value:.3f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# --- command line ----------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `signage bench` options (for cli.py's subparser)."""
    parser.add_argument("--frames", type=int, default=DEFAULT_FRAMES,
                        help=f"frames timed per scene (default {DEFAULT_FRAMES})")
    parser.add_argument("--playlist-frames", type=int, default=None,
                        help=f"frames timed for scene d (default one full pass, {PLAYLIST_FRAMES})")
    parser.add_argument("--scene", default=",".join(SCENES),
                        help="scenes to run, e.g. a,c; "
                        + "; ".join(f"{k}: {v}" for k, v in SCENES.items()))
    parser.add_argument("--resolution", default=",".join(f"{w}x{h}" for w, h in RESOLUTIONS),
                        help="panel sizes, e.g. 384x192,1920x1080")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive reference")
    parser.add_argument("--realtime", action="store_true",
                        help="sleep out each 1/60 s frame as the player does, so background work "
                        "(prefetch, snapshots) gets its production idle time; much slower")
    parser.add_argument("--in-process", action="store_true",
                        help="run every scene in this process (rss_mb is then the run's peak)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the bench from parsed options; 1 if any scene failed."""
    try:
        document = run_bench(
            [s.strip() for s in args.scene.split(",") if s.strip()],
            [r for r in args.resolution.split(",") if r.strip()],
            args.frames, json_out=args.json, progress=True, naive=not args.no_naive,
            playlist_frames=args.playlist_frames, isolate=not args.in_process,
            realtime=args.realtime)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1 if document["errors"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signage bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return cmd_bench(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
