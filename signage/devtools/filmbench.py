"""`signage bench` scenes e-g: films, played by the real player in real time.

A film's cost is mostly on the decoder thread, so these scenes are not timed frame by
frame on a fake clock like a-d: the real Player runs paced at 30 fps on the system clock
(as `Player.run` paces it) for the whole film, and the process's CPU time over that span
(every thread: decoder, swscale, frame loop, workers) is divided by the seconds of film.
The floor beside it, measured in the same process afterwards, is a bare PyAV decode and
swscale conversion of the same file to the same size and pixel format: what playing the
film cannot cost less than. Dropped frames are the decoder's (a frame converted too late
to be shown, or skipped) plus the loop's (a 1/30 s tick missed).

The bench film (1920x1080, 30 fps, H.264, 60 s of a panning picture) is made with PyAV
on first use and kept in the user's cache folder, with its 768x384 panel copy.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from pathlib import Path

from signage.devtools.scenes import CHANGE_ITEM_S, FILM_FPS, FILM_SECONDS, FILM_SIZE, START

LOOP_FPS = 30.0
WARMUP_S = 1.5  # the playlist loads and fades in over the standby card; not timed
CHANGE_TIMED_S = 3 * CHANGE_ITEM_S  # scene g: image, film, image (two item changes)
FILM_CRF = 23
FILM_KEYFRAME_EVERY = 60  # frames: a usual export setting (2 s)


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "signage-bench"


def bench_film() -> Path:
    """The bench film, made on first use (about a minute) and kept in the cache folder."""
    width, height = FILM_SIZE
    path = cache_dir() / f"film-{width}x{height}-{FILM_FPS}fps-{FILM_SECONDS}s.mp4"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.tmp")
        _make_film(partial)
        os.replace(partial, path)
    return path


def _make_film(path: Path) -> None:
    """A panning picture with a moving block: every frame differs, as in a real film."""
    import av
    from PIL import Image, ImageChops, ImageDraw

    from signage.devtools.scenes import _picture
    import io

    base = Image.open(io.BytesIO(_picture(FILM_SIZE, 11))).convert("RGB")
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FILM_FPS)
        stream.width, stream.height = FILM_SIZE
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(FILM_CRF), "preset": "veryfast",
                          "g": str(FILM_KEYFRAME_EVERY)}
        for n in range(FILM_FPS * FILM_SECONDS):
            picture = ImageChops.offset(base, 6 * n, 2 * n)
            x = (17 * n) % (FILM_SIZE[0] - 200)
            ImageDraw.Draw(picture).rectangle((x, 400, x + 200, 600), fill=(240, 200, 40))
            frame = av.VideoFrame.from_image(picture)
            frame.pts = n
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def store_film(store, scene: str, panel: tuple[int, int]) -> str:
    """Store the bench film (as `signage import` does); scene f also gets the panel-size
    copy the upload transcode makes (kept in the cache too, so it is made once)."""
    from signage.media.film import panel_copy_size, probe_film, transcode
    from signage.services.films import import_film

    source = bench_film()
    ref = import_film(store.assets, source, source.name)
    if scene == "f":
        cached = cache_dir() / f"{source.stem}-{panel[0]}x{panel[1]}.mp4"
        if not cached.exists():
            facts = probe_film(source)
            partial = cached.with_name(cached.name + f".{os.getpid()}.tmp")
            transcode(source, partial, panel_copy_size(facts, panel), facts.length,
                      lambda _percent: None)
            os.replace(partial, cached)
        target = store.assets.rendition_path(ref, panel)
        target.write_bytes(cached.read_bytes())
    return ref


def measure_film(spec) -> dict:
    """One result row and notes for film scene `spec.scene`, played in real time."""
    from drivers.emulated import EmulatedPanel
    from signage.clock import SystemClock
    from signage.devtools.timing import _player_notes
    from signage.player.loop import build_player
    from signage.settings import Settings

    settings = Settings(data_dir=Path(spec.data_dir), runtime_dir=Path(spec.runtime_dir),
                        driver=f"emulated://{spec.width}x{spec.height}", fps=LOOP_FPS,
                        fonts=dict(spec.fonts))
    clock = SystemClock()
    driver = EmulatedPanel(spec.size)
    driver.open()
    copies = _time_presents(driver)
    player = build_player(settings, clock, driver)
    try:
        _paced(player, clock, WARMUP_S)
        copies.clear()
        film_dropped = _film_dropped(player)
        cpu_began, threads_began, pressure = time.process_time(), thread_cpu(), cpu_pressure()
        seconds = CHANGE_TIMED_S if spec.scene == "g" else FILM_SECONDS
        times, missed, wall, own = _paced(player, clock, seconds)
        cpu = time.process_time() - cpu_began
        by_thread = _spent(threads_began, thread_cpu())
        pressure = (pressure, cpu_pressure())
        film_dropped = _film_dropped(player) - film_dropped
        notes = _player_notes(player, clock)
        film_path = Path(player.compositor.asset_path(_film_ref(player)))
    finally:
        player.snapshots.close()
        player.compositor.close()
        driver.close()
    ordered = sorted(times)
    row = {"scene": spec.scene, "resolution": f"{spec.width}x{spec.height}",
           "fps": round(len(times) / wall, 1), "median_ms": round(statistics.median(ordered), 3),
           "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
           "max_ms": round(ordered[-1], 3), "rss_mb": peak_rss_mb(),
           "naive_median_ms": None, "speedup": None,
           "dropped_frames": film_dropped + missed, "cpu_pct": round(100 * cpu / wall, 1)}
    slowest = sorted(((ms, i / LOOP_FPS) for i, ms in enumerate(times)), reverse=True)[:3]
    notes.append("slowest frames: " + ", ".join(f"{ms:.1f} ms at {at:.2f} s" for ms, at in slowest))
    own.sort()
    notes.append(f"frame loop's own CPU per frame (thread time): median {statistics.median(own):.3f} "
                 f"ms, max {own[-1]:.3f} ms; the rest of a frame's time was spent waiting for a "
                 f"core (CPU pressure, some avg10: {pressure[0]} at the start, {pressure[1]} at "
                 f"the end; load average {os.getloadavg()[0]:.1f})")
    if spec.scene != "g" and len(copies) == len(times):  # one present per step
        rest = sorted(step - copy for step, copy in zip(times, copies))
        lent = driver.telemetry().extra.get("lent_frames", 0)
        notes.append(f"of each frame, the driver's present (EmulatedPanel.present) took median "
                     f"{statistics.median(copies):.3f} ms, the rest of the loop median "
                     f"{statistics.median(rest):.3f} ms; {lent} frames were shown from "
                     f"buffers the panel lent (decoded into, not copied: drivers/base.py)")
    notes.append("CPU by thread, % of one core: " + ", ".join(
        f"{name} {100 * spent / wall:.1f}" for name, spent in by_thread))
    notes.append(f"{len(times)} frames in {wall:.1f} s of real time; dropped: {film_dropped} "
                 f"by the decoder, {missed} loop ticks missed; CPU {row['cpu_pct']}% of one "
                 f"core (all threads); peak RSS {row['rss_mb']} MB")
    if spec.scene == "g":
        alone = sorted(_bare_crossfades(spec.size, len(times)))
        notes.append(f"the same machine's own noise: {len(alone)} frames of a bare "
                     f"{spec.width}x{spec.height} crossfade and its copy (the costliest frame "
                     f"here), alone on one thread, paced at 30 fps: median "
                     f"{statistics.median(alone):.3f} ms, max {alone[-1]:.3f} ms")
    if spec.scene != "g":
        floor = _floor_cpu(film_path, spec.size, seconds, pooled=True)
        row["floor_cpu_pct"] = round(100 * floor, 1)
        row["cpu_vs_floor"] = round(row["cpu_pct"] / max(row["floor_cpu_pct"], 1e-6), 2)
        plain = _floor_cpu(film_path, spec.size, seconds, pooled=False)
        row["pyav_floor_cpu_pct"] = round(100 * plain, 1)
        row["cpu_vs_pyav_floor"] = round(row["cpu_pct"] / max(row["pyav_floor_cpu_pct"], 1e-6), 2)
        notes.append(f"floor, as the issue words it (a bare PyAV decode + convert of {film_path.name}"
                     f" to {spec.width}x{spec.height} BGRA: VideoFrame.reformat, a new buffer per "
                     f"frame): {row['pyav_floor_cpu_pct']}% of a core; the player "
                     f"{row['cpu_vs_pyav_floor']}x that. Stricter floor (libswscale straight into "
                     f"one reused buffer, as the player converts, with no ring, display or pacing): "
                     f"{row['floor_cpu_pct']}%; the player {row['cpu_vs_floor']}x that")
    return {"row": row, "notes": notes}


def _time_presents(driver) -> list[float]:
    """Time each of `driver`'s presents (milliseconds, appended to the list returned)."""
    spent: list[float] = []
    present = driver.present

    def timed(frame, dirty=None):
        begun = time.perf_counter()
        try:
            present(frame, dirty=dirty)
        finally:
            spent.append((time.perf_counter() - begun) * 1000)
    driver.present = timed
    return spent


def _bare_crossfades(size: tuple[int, int], frames: int) -> list[float]:
    """Milliseconds per frame of a crossfade between two still pictures into a frame and
    its copy into a panel buffer, paced at LOOP_FPS on this thread: what the costliest
    frame of scene g costs with nothing else running, to hold its maximum against."""
    from signage.render.blend import FULL, blend_into
    from signage.render.pictures import new_frame

    before, after, frame, panel = (new_frame(size) for _ in range(4))
    before.fill((8, 32, 72))
    after.fill((240, 200, 40))
    spent = []
    for n in range(frames):
        begun = time.perf_counter()
        blend_into(frame, (0, 0), before, after, n * 7 % FULL)
        panel.blit(frame, (0, 0))
        spent.append((time.perf_counter() - begun) * 1000)
        time.sleep(max(0.0, 1 / LOOP_FPS - spent[-1] / 1000))
    return spent


def peak_rss_mb() -> float | None:
    """This process's own peak resident memory (VmHWM). Not ru_maxrss: Linux carries that
    over from the parent that started us, and the bench's parent made the film."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def thread_cpu() -> dict[str, float]:
    """CPU seconds each of this process's threads has used so far, by thread name (the
    names of threads gone since are lost: their time is in process_time only)."""
    import threading

    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    spent: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = names.get(int(task.name)) or (task / "comm").read_text().strip()
            stat = (task / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])
        spent[name] = spent.get(name, 0.0) + ticks / os.sysconf("SC_CLK_TCK")
    return spent


def _spent(before: dict[str, float], after: dict[str, float]) -> list[tuple[str, float]]:
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    return sorted(((n, s) for n, s in spent.items() if s > 0), key=lambda ns: -ns[1])


def cpu_pressure() -> str:
    """The kernel's CPU pressure (share of time some task waited for a core), or '?'."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as pressure:
            return pressure.readline().split()[1].split("=")[1] + "%"
    except (OSError, IndexError):
        return "?"


def _paced(player, clock, seconds: float) -> tuple[list[float], int, float, list[float]]:
    """Step the player at LOOP_FPS for `seconds` of real time, as Player.run paces it:
    (milliseconds per step, ticks missed, seconds it took, the loop thread's own CPU
    milliseconds per step)."""
    interval = 1 / LOOP_FPS
    if player.tick_origin is None:
        player.tick_origin = clock.monotonic()
    began = clock.monotonic()
    # The grid goes on: the first step is the tick whose time has come (the previous run
    # slept until it). Rounding up skipped it unseen: a film frame then counted as dropped.
    ticks = math.floor((began - player.tick_origin) / interval + 1e-6)
    start, first, missed, times, own = player.tick_origin, ticks, 0, [], []
    total = first + round(seconds * LOOP_FPS)
    while ticks < total:
        begun, begun_cpu = time.perf_counter(), time.thread_time()
        player.step()
        times.append((time.perf_counter() - begun) * 1000)
        own.append((time.thread_time() - begun_cpu) * 1000)
        ticks += 1
        due, now = start + ticks * interval, clock.monotonic()
        if now > due:
            late = int((now - due) / interval) + 1
            missed, ticks = missed + late, ticks + late
            due = start + ticks * interval
        clock.sleep(due - now)
    return times, missed, clock.monotonic() - began, own


def _film_ref(player) -> str:
    zone = next(z for z in player.stage.zones if any(i.kind == "video" for i in z.items))
    return next(item.asset for item in zone.items if item.kind == "video")


def _film_dropped(player) -> int:
    """Frames the decoders of the films on screen dropped so far."""
    return sum(zone.get("film", {}).get("dropped_frames", 0)
               for zone in player.stage.status(player.clock.monotonic()))


def _floor_cpu(path: Path, size: tuple[int, int], seconds: float, pooled: bool) -> float:
    """CPU seconds per second of film for a bare decode + convert of `path` to `size`:
    into a reused buffer as the player converts (`pooled`), or with a new buffer per
    frame (VideoFrame.reformat)."""
    import av

    from signage.render.filmconvert import FRAME_FORMAT, FrameConverter, surface_scaler
    from signage.render.pictures import new_frame
    from signage.render.video import DECODE_THREADS

    scaler, converter, target = surface_scaler(), FrameConverter(size), new_frame(size)
    began = time.process_time()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # as the player's decoder does
        stream.codec_context.thread_count = DECODE_THREADS
        for frame in container.decode(stream):
            if pooled and scaler is not None:
                scaler.scale_into(frame, target)
            elif pooled:
                converter.convert(frame)
            else:
                frame.reformat(size[0], size[1], FRAME_FORMAT)
            if frame.time is not None and frame.time >= seconds - 1 / FILM_FPS:
                break
    return (time.process_time() - began) / seconds


__all__ = ["START", "bench_film", "measure_film", "store_film"]
