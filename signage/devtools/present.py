"""`signage bench --present`: what showing the player on X costs, in CPU-seconds per second.

The real `signage player --driver hdmi://0?region=0,0,W,H` plays each scene on an X server
(an Xvfb of SCREEN started here, on a free display number, when DISPLAY is not set), and
the CPU time of its process tree (the player and its window process) and of the X server
is read from /proc over a fixed wall interval after a warm-up. Beside it, in the same run,
a bare loop that does nothing but present the whole window 30 times a second, once with
SDL's defaults (the GL-backed window surface) and once through XShm, says what a full
present costs on this X server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from signage.content.models import ImageItem, MessageItem, Playlist, TickerItem, Transition, Zone
from signage.devtools.cpu import find_x_server, seconds_between, tree_ticks
from signage.devtools.scenes import NOTICE, BenchError, _picture, publish, scene_playlist

SCREEN = (1920, 1080)  # the HDMI output the panel region sits in
RESOLUTIONS = ((768, 384), (1920, 1080))
SCENES = {
    "cards": "two photo cards crossfading every 6 s (1 s fade), trilingual text, 80 px/s ticker",
    "still": "a trilingual message over a photo: nothing moves",
}
SECONDS = {"cards": 60.0, "still": 20.0, "bare": 20.0}  # measured wall time of each row
TARGETS = {("cards", (1920, 1080)): 0.18, ("cards", (768, 384)): 0.06, ("still", None): 0.02}
CARD_S, CARD_FADE_S, TICKER_PX_S = 6.0, 1.0, 80.0
WARMUP_S = 3.0  # after the player says it is playing on a live link: pictures decoded, faded in
START_WAIT_S = 60.0
FPS = 30.0
REPO = Path(__file__).resolve().parents[2]
ROW_KEYS = ("what", "panel", "seconds", "fps", "dropped", "updates_per_s", "player_cpu", "x_cpu",
            "total", "target")


def cards_playlist(size: tuple[int, int], add_asset) -> Playlist:
    """Issue 16's scene: a card zone crossfading between two photos, text beside, ticker."""
    hour = 3600.0
    cards = [add_asset(_picture((size[0] // 2, size[1] * 84 // 100), seed, tint))
             for seed, tint in ((2, "red"), (3, "blue"))]
    return Playlist(name="bench-cards", transition=Transition(kind="crossfade", duration=CARD_FADE_S),
                    layout=[
        Zone(zone="cards", rect=("0%", "0%", "50%", "84%"), items=[
            ImageItem(kind="image", asset=card, fit="cover", duration=CARD_S) for card in cards]),
        Zone(zone="text", rect=("50%", "0%", "50%", "84%"), items=[
            MessageItem(kind="message", text=NOTICE, duration=hour)]),
        Zone(zone="ticker", rect=("0%", "84%", "100%", "16%"), items=[
            TickerItem(kind="ticker", text=NOTICE, speed=TICKER_PX_S, duration=hour)]),
    ])


def _playlist_maker(scene: str, size: tuple[int, int]):
    if scene == "cards":
        return lambda add_asset, _store: cards_playlist(size, add_asset)
    return lambda add_asset, _store: scene_playlist("a", size, add_asset)  # the still scene


# --- measuring ----------------------------------------------------------------------------


def _child_env(display: str, extra: dict[str, str]) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "DISPLAY": display, "SDL_VIDEODRIVER": "x11",
            "PYGAME_HIDE_SUPPORT_PROMPT": "1", "PYTHONPATH": path, **extra}


def _cpu_over(pid: int, x_pid: int | None, seconds: float) -> dict:
    """CPU-seconds per second of the tree under `pid` and of the X server, over `seconds`."""
    tree, x = tree_ticks(pid), tree_ticks(x_pid) if x_pid else {}
    begun = time.monotonic()
    time.sleep(seconds)  # the interval measured: wall time is the denominator
    wall = time.monotonic() - begun
    player = seconds_between(tree, tree_ticks(pid)) / wall
    x_cpu = seconds_between(x, tree_ticks(x_pid)) / wall if x_pid else None
    return {"seconds": round(wall, 1), "player_cpu": round(player, 4),
            "x_cpu": None if x_cpu is None else round(x_cpu, 4),
            "total": round(player + (x_cpu or 0.0), 4)}


def _read_status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):  # not written yet, or caught mid-replace
        return None


def _wait_until_playing(process: subprocess.Popen, status_path: Path) -> dict:
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the player exited ({process.returncode})")
        status = _read_status(status_path)
        if status and status["state"] == "playing" and status["driver"]["link"] == "up":
            return status
        time.sleep(0.2)  # polling a real process
    raise RuntimeError(f"the player was not playing on a live link after {START_WAIT_S:g} s")


def _newer_status(path: Path, first: dict) -> dict:
    """The status document after `first` (written every 0.5 s; a short interval may end
    before the next one)."""
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        status = _read_status(path)
        if status and status["uptime_s"] > first["uptime_s"]:
            return status
        time.sleep(0.1)  # polling a real process
    raise RuntimeError("the player wrote no status document for 5 s")


def _rates(first: dict, last: dict) -> dict:
    """Frames the loop presented (and dropped) and window updates sent, per second of the
    player's own time, between two status documents."""
    span = last["uptime_s"] - first["uptime_s"]
    if span <= 0:
        return {"fps": None, "dropped": None, "updates_per_s": None}
    updates = [status["driver"]["extra"].get("updates") for status in (first, last)]
    return {"fps": round((last["frames"] - first["frames"]) / span, 1),
            "dropped": last["dropped_frames"] - first["dropped_frames"],
            "updates_per_s": None if None in updates else round((updates[1] - updates[0]) / span, 1)}


def measure_player(scene: str, size: tuple[int, int], display: str, x_pid: int | None,
                   seconds: float, fps: float, root: Path) -> dict:
    """One row: the real player showing `scene` at a `size` region of the display."""
    data_dir, runtime_dir = root / f"{scene}-{size[0]}x{size[1]}", root / f"run-{scene}-{size[0]}"
    publish(_playlist_maker(scene, size), data_dir)
    env = _child_env(display, {"SIGNAGE_DATA_DIR": str(data_dir),
                               "SIGNAGE_RUNTIME_DIR": str(runtime_dir)})
    url = f"hdmi://0?region=0,0,{size[0]},{size[1]}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "signage", "player", "--driver", url,
                                    "--fps", f"{fps:g}"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log)
        try:
            _wait_until_playing(process, runtime_dir / "status.json")
            time.sleep(WARMUP_S)
            first = _read_status(runtime_dir / "status.json")
            cpu = _cpu_over(process.pid, x_pid, seconds)
            last = _newer_status(runtime_dir / "status.json", first)
        except RuntimeError as exc:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{exc}; it said: {' | '.join(tail) or '(nothing)'}") from None
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {"what": scene, "panel": f"{size[0]}x{size[1]}", **cpu, **_rates(first, last),
            "present": last["driver"]["extra"].get("present"),
            "target": _target(scene, size, fps)}


def _target(scene: str, size: tuple[int, int], fps: float) -> float | None:
    """Issue 16's target for the row (they are set at 30 fps)."""
    if fps != FPS:
        return None
    return TARGETS.get((scene, size), TARGETS.get((scene, None)))


def measure_bare(display: str, x_pid: int | None, seconds: float, fps: float,
                 xshm: bool) -> dict:
    """One row: a bare loop presenting the whole SCREEN-sized window `fps` times a second."""
    extra = {"SDL_FRAMEBUFFER_ACCELERATION": "0"} if xshm else {}
    code = ("import sys; from signage.devtools.present import bare_loop; "
            f"bare_loop({SCREEN!r}, {fps!r})")
    process = subprocess.Popen([sys.executable, "-c", code], env=_child_env(display, extra),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        if process.stdout.readline().strip() != b"ready":  # the window is up
            raise RuntimeError(f"the bare present loop did not start ({process.wait()})")
        started = time.monotonic()
        time.sleep(WARMUP_S)
        cpu = _cpu_over(process.pid, x_pid, seconds)
        process.stdin.close()  # tells it to stop; it prints the frames it presented
        frames = int(process.stdout.read() or 0)
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    label = "bare full-frame flip, " + ("XShm" if xshm else "SDL defaults")
    return {"what": label, "panel": f"{SCREEN[0]}x{SCREEN[1]}", **cpu, "target": None,
            "fps": round(frames / (time.monotonic() - started), 1), "dropped": None,
            "updates_per_s": None, "frames": frames}


def bare_loop(size: tuple[int, int], fps: float) -> None:
    """A full-screen window whose whole picture changes and is presented `fps` times a
    second, until stdin closes; then print how many frames it presented."""
    import select

    import pygame

    pygame.display.init()
    screen = pygame.display.set_mode(size, pygame.FULLSCREEN | pygame.NOFRAME)
    print("ready", flush=True)
    frames, start = 0, time.monotonic()
    while not select.select([sys.stdin], [], [], 0)[0]:
        screen.fill((frames * 7 % 256, 80, 160))
        pygame.display.flip()
        pygame.event.get()
        frames += 1
        time.sleep(max(0.0, start + frames / fps - time.monotonic()))
    print(frames, flush=True)


# --- the run --------------------------------------------------------------------------


def run_present_bench(scenes=tuple(SCENES), resolutions=RESOLUTIONS, seconds: float | None = None,
                      fps: float = FPS, say=lambda line: None) -> dict:
    """Every scene at every resolution, then the bare loops; the JSON document."""
    from signage.devtools.xvfb import Xvfb, xvfb_missing

    for scene in scenes:
        if scene not in SCENES:
            raise BenchError(f"unknown scene {scene!r} for --present; choose from "
                             f"{', '.join(SCENES)}")
    display, server = os.environ.get("DISPLAY"), None
    if not display:
        if xvfb_missing():
            raise BenchError(f"no DISPLAY and {xvfb_missing()}")
        server = Xvfb(SCREEN).start()
        display = server.display
    x_pid = server.process.pid if server else find_x_server(display)
    document = {"display": display, "x_server": "Xvfb started here" if server else
                ("pid %s" % x_pid if x_pid else "not found: X CPU not measured"),
                "screen": list(SCREEN), "fps": fps, "rows": [], "errors": []}
    jobs = [(scene, size) for size in resolutions for scene in scenes] + \
        [("bare", False), ("bare", True)]
    try:
        with tempfile.TemporaryDirectory(prefix="signage-present-") as root:
            for what, detail in jobs:
                wall = seconds or SECONDS[what]
                try:
                    row = (measure_bare(display, x_pid, wall, fps, detail) if what == "bare" else
                           measure_player(what, detail, display, x_pid, wall, fps, Path(root)))
                except (RuntimeError, OSError) as exc:  # one failure must not hide the others
                    document["errors"].append(f"{what} {detail}: {exc}")
                    say(f"bench --present: {what} {detail}: FAILED: {exc}")
                    continue
                document["rows"].append(row)
                say(f"bench --present: {row['what']} {row['panel']}: {row['total']} CPU-s/s")
    finally:
        if server:
            server.stop()
    return document


def format_table(document: dict) -> str:
    cells = [[_cell(row.get(key)) for key in ROW_KEYS] for row in document["rows"]]
    widths = [max([len(key)] + [len(c[i]) for c in cells]) for i, key in enumerate(ROW_KEYS)]
    lines = ["  ".join(text.ljust(w) if i < 2 else text.rjust(w)
                       for i, (text, w) in enumerate(zip(row, widths))).rstrip()
             for row in [list(ROW_KEYS)] + cells]
    paths = sorted({row["present"] for row in document["rows"] if row.get("present")})
    lines += ["", f"CPU-seconds per wall second (/proc utime+stime); player = the player's "
              f"process tree (player + window), x = the X server ({document['x_server']}, "
              f"{document['display']}, screen {document['screen'][0]}x{document['screen'][1]}); "
              f"target {document['fps']:g} fps; HDMI present path: {', '.join(paths) or '-'}"]
    lines += [f"scene {name}: {what}" for name, what in SCENES.items()]
    lines += [f"error: {error}" for error in document["errors"]]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The --present options of `signage bench`."""
    parser.add_argument("--present", action="store_true",
                        help="measure the CPU the HDMI player and the X server use (CPU-s/s) "
                        "for scenes " + ", ".join(SCENES) + "; under a fresh Xvfb when DISPLAY "
                        "is not set")
    parser.add_argument("--seconds", type=float, default=None,
                        help="with --present: wall seconds measured per row (default "
                        + ", ".join(f"{k} {v:g}" for k, v in SECONDS.items()) + ")")
    parser.add_argument("--fps", type=float, default=FPS,
                        help=f"with --present: the player's frame rate (default {FPS:g})")


def cmd_present(args: argparse.Namespace, resolutions) -> int:
    """`signage bench --present`: 1 if a row failed, 2 for unusable options."""
    from signage.devtools.bench import parse_resolution

    try:
        scenes = [s.strip() for s in (args.scene or ",".join(SCENES)).split(",") if s.strip()]
        sizes = [parse_resolution(r) for r in resolutions] if resolutions else RESOLUTIONS
        document = run_present_bench(scenes, sizes, args.seconds, args.fps,
                                     lambda line: print(line, file=sys.stderr, flush=True))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(document, indent=1) if args.json else format_table(document))
    return 1 if document["errors"] else 0
