"""`signage bench`: what a frame of the real player costs, beside a naive Pillow loop.

Each scene (`scenes`) is a real playlist published into a Store in a temp data dir and
played by the real Player (Compositor, FontBook from settings, the emulated panel as the
sink). A FakeClock moves content time 1/60 s per frame while `time.perf_counter` measures
what each `player.step()` costs (`timing`): compositing plus `driver.present()`, i.e. the
frame as the driver takes it. The naive reference (scenes a-c) draws the same playlist with
Pillow alone, re-drawing all text and re-compositing every frame, then converts to a pygame
Surface and presents it to the same driver. Each scene and resolution runs in a fresh
process so `rss_mb` is that run's own peak (measured before the naive reference runs).

This module runs the scenes and reports: the JSON document, the table, the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from signage.devtools import consolebench, present
from signage.devtools.scenes import (FADE_ITEM_S, FADE_S, FILM_PANELS, FILM_SECONDS,
                                     PLAYLIST_ITEM_S, PLAYLIST_ITEMS, SCENES, BenchError, prepare)
from signage.devtools.timing import (FADE_WINDOW, FRAME_S, NAIVE_FRAMES, WARMUP_FRAMES, Spec,
                                     measure)

RESOLUTIONS = ((384, 192), (768, 384), (1920, 1080))
DEFAULT_FRAMES = 300
# One full pass through scene d, so every item change and the byte-bounded cache are seen.
PLAYLIST_FRAMES = round(PLAYLIST_ITEMS * PLAYLIST_ITEM_S / FRAME_S)

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
    "e": (f"real time, 30 fps paced, {FILM_SECONDS} s of film: every frame; CPU of all threads "
          "beside a bare PyAV decode + convert of the same file (the floor)"),
    "f": f"as e, on the panel-size copy the upload transcode makes ({FILM_SECONDS} s)",
    "g": "real time, 30 fps paced: every frame of image -> film -> image, changes included",
}


def _measure_in_child(spec: Spec) -> dict:
    repo = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYGAME_HIDE_SUPPORT_PROMPT="1",
               PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from signage.devtools.timing import _child; sys.exit(_child())"],
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
            for size in ([FILM_PANELS[scene]] if scene in FILM_PANELS else sizes):
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
    parser.add_argument("--scene", default=None,
                        help="scenes to run, e.g. a,c; "
                        + "; ".join(f"{k}: {v}" for k, v in SCENES.items()))
    parser.add_argument("--resolution", default=None,
                        help="panel sizes, e.g. 384x192,1920x1080 (default "
                        + ",".join(f"{w}x{h}" for w, h in RESOLUTIONS) + "; with --present "
                        + ",".join(f"{w}x{h}" for w, h in present.RESOLUTIONS) + ")")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive reference")
    parser.add_argument("--realtime", action="store_true",
                        help="sleep out each 1/60 s frame as the player does, so background work "
                        "(prefetch, snapshots) gets its production idle time; much slower")
    parser.add_argument("--in-process", action="store_true",
                        help="run every scene in this process (rss_mb is then the run's peak)")
    present.add_arguments(parser)
    console = parser.add_argument_group(
        "console", "--console: server time per console page (and the heaviest API reads) "
        "on a seeded store, through a real uvicorn on 127.0.0.1")
    console.add_argument("--console", action="store_true",
                         help="time the console's pages instead of the player's frames")
    console.add_argument("--requests", type=int, default=consolebench.DEFAULT_REQUESTS,
                         help=f"timed requests per page (default {consolebench.DEFAULT_REQUESTS})")
    console.add_argument("--revisions", type=int, default=1000,
                         help="revisions to seed (default 1000)")
    console.add_argument("--assets", type=int, default=500, help="assets to seed (default 500)")
    console.add_argument("--plays", type=int, default=100_000,
                         help="proof-of-play records to seed (default 100000)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the bench from parsed options; 1 if any scene failed."""
    resolutions = [r for r in (args.resolution or "").split(",") if r.strip()]
    if args.present:
        return present.cmd_present(args, resolutions)
    if args.console:
        return consolebench.cmd_console(args)
    try:
        document = run_bench(
            [s.strip() for s in (args.scene or ",".join(SCENES)).split(",") if s.strip()],
            resolutions or RESOLUTIONS,
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
