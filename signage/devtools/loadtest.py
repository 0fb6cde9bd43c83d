"""`signage loadtest`: does serving technicians slow the wall down?

A real player (emulated panel, real clock, a bench scene) runs in this process while a real
API (`signage api`) serves the same data and runtime directories from a child process on
127.0.0.1. The player's frame times (compose + present, as its status reports them) are
taken for SECONDS without load, then for SECONDS while CLIENTS concurrent clients, each
with a keep-alive connection and a technician token, poll GET /api/status and
GET /api/screen.png (then wait --interval, 1 s by default). The clients run in another
child process: they compete with the player for the CPU, not for its GIL.
Prints both p99s, the increase (target: at most 10 %), requests served and errors.
Everything lives in a temporary directory and stops by itself.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from signage.clock import SystemClock
from signage.settings import Settings

DEFAULT_SECONDS = 30.0
DEFAULT_CLIENTS = 50
API_NICE = 10  # as systemd/signage-api.service runs it: the wall comes first
DEFAULT_WARMUP_S = 3.0
# Each client asks for both documents, then waits this long: polling, as a dashboard or a
# Prometheus scrape does. --interval 0 asks flat out (a stress test, not a poll).
DEFAULT_INTERVAL_S = 1.0
TARGET_INCREASE = 0.10
PATHS = ("/api/status", "/api/screen.png")
API_START_S = 30.0  # the API child must answer /api/health within this
GRACE_S = 30.0  # on top of SECONDS, before a load child that does not finish is killed


# --- the clients (run in a child process) ---------------------------------------------


def run_clients(host: str, port: int, token: str, seconds: float, clients: int,
                interval: float) -> dict:
    """`clients` threads polling PATHS for `seconds`; counts of answers and errors."""
    clock = SystemClock()
    stop_at = clock.monotonic() + seconds
    counts = collections.Counter()
    errors: list[str] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def client(n: int) -> None:
        # Pollers are not in step with each other: each starts at its own point of the
        # interval, so 50 of them do not all arrive in the same millisecond every second.
        clock.sleep(interval * n / clients)
        connection = http.client.HTTPConnection(host, port, timeout=10)
        while clock.monotonic() < stop_at:
            for path in PATHS:
                outcome = _fetch(connection, path, headers)
                with lock:
                    counts[path, outcome is None] += 1
                    if outcome is not None and len(errors) < 5:
                        errors.append(f"{path}: {outcome}")
                if outcome is not None:  # start afresh after an error
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=10)
            clock.sleep(min(interval, stop_at - clock.monotonic()))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    print("started", flush=True)  # the parent times the player's frames from here
    for thread in threads:
        thread.join(seconds + GRACE_S)
    served = {path: counts[path, True] for path in PATHS}
    failed = {path: counts[path, False] for path in PATHS}
    return {"requests": sum(served.values()), "errors": sum(failed.values()),
            "served": served, "failed": failed, "first_errors": errors}


def _fetch(connection: http.client.HTTPConnection, path: str, headers: dict) -> str | None:
    """None if `path` answered 200 with a body; else what went wrong."""
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status != 200 or not body:
        return f"HTTP {response.status}: {body[:120]!r}"
    return None


def _client_child() -> int:
    config = json.loads(sys.stdin.readline())
    result = run_clients(config["host"], config["port"], config["token"], config["seconds"],
                         config["clients"], config["interval"])
    print(json.dumps(result), flush=True)
    return 0


# --- the player and the API -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_api(settings: Settings, port: int, log_path: Path, nice: int) -> subprocess.Popen:
    env = dict(os.environ, SIGNAGE_DATA_DIR=str(settings.data_dir),
               SIGNAGE_RUNTIME_DIR=str(settings.runtime_dir))
    with open(log_path, "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "signage", "api", "--listen",
                                 f"127.0.0.1:{port}"], env=env, stdout=log, stderr=log,
                                preexec_fn=_niced(nice))


def _niced(nice: int):
    """For Popen: lower the child's CPU priority by `nice` (as systemd's Nice= does)."""
    return (lambda: os.nice(nice)) if nice else None


def _wait_for_api(port: int, api: subprocess.Popen, clock: SystemClock, log_path: Path) -> None:
    deadline = clock.monotonic() + API_START_S
    while clock.monotonic() < deadline:
        if api.poll() is not None:
            break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        if _fetch(connection, "/api/health", {}) is None:
            connection.close()
            return
        connection.close()
        clock.sleep(0.1)
    raise RuntimeError(f"the API did not answer on 127.0.0.1:{port}; its log:\n"
                       f"{log_path.read_text(errors='replace')[-2000:]}")


class FrameTimes:
    """Collects the running player's frame times between start() and stop()."""

    def __init__(self, player, clock: SystemClock):
        self.player, self.clock = player, clock

    def start(self) -> None:
        self.dropped = self.player.dropped
        # The loop appends each frame's time to player.frame_ms; an unbounded one keeps all.
        self.player.frame_ms = collections.deque()

    def stop(self) -> dict:
        samples = self.player.frame_ms
        self.player.frame_ms = collections.deque(maxlen=300)
        self.clock.sleep(0.05)  # a frame that looked the old deque up has appended by now
        return summarize(list(samples), self.player.dropped - self.dropped)


def summarize(times: list[float], dropped: int) -> dict:
    """Frame count, median, p99 (as the status document computes it), max; ms."""
    times = sorted(times)
    if not times:
        return {"frames": 0, "median_ms": None, "p99_ms": None, "max_ms": None, "dropped": dropped}
    return {"frames": len(times), "median_ms": round(statistics.median(times), 3),
            "p99_ms": round(times[int(0.99 * (len(times) - 1))], 3),
            "max_ms": round(times[-1], 3), "dropped": dropped}


def _technician_token(settings: Settings) -> str:
    from signage.store.database import Store

    store = Store(settings.data_dir)
    try:
        return store.create_token("loadtest", "technician")
    finally:
        store.close()


def _load(port: int, token: str, seconds: float, clients: int, interval: float,
          frames: FrameTimes, nice: int) -> tuple[dict, dict]:
    """Run the client child; the player's frame times while it loads, and its counts."""
    child = subprocess.Popen([sys.executable, "-m", "signage.devtools.loadtest", "--client-child"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             preexec_fn=_niced(nice))
    try:
        child.stdin.write(json.dumps({"host": "127.0.0.1", "port": port, "token": token,
                                      "seconds": seconds, "clients": clients,
                                      "interval": interval}) + "\n")
        child.stdin.close()
        child.stdin = None  # sent and closed: communicate() only reads
        if child.stdout.readline().strip() != "started":
            raise RuntimeError("the load clients did not start; see the messages above")
        frames.start()
        out, _ = child.communicate(timeout=seconds + GRACE_S)
        loaded = frames.stop()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode != 0:
        raise RuntimeError(f"the load clients failed (exit {child.returncode})")
    return loaded, json.loads(out.strip().splitlines()[-1])


def run_loadtest(seconds: float = DEFAULT_SECONDS, clients: int = DEFAULT_CLIENTS,
                 size: tuple[int, int] = (768, 384), scene: str = "b", fps: float = 30.0,
                 interval: float = DEFAULT_INTERVAL_S, warmup: float = DEFAULT_WARMUP_S,
                 api_nice: int = API_NICE, clients_nice: int = 0) -> dict:
    """Measure the player without and with API load; the figures as a document."""
    from drivers.emulated import EmulatedPanel
    from signage.devtools import scenes
    from signage.player.loop import build_player
    from signage.player.status import status_document

    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="signage-loadtest-") as root:
        settings = Settings(data_dir=Path(root) / "data", runtime_dir=Path(root) / "run",
                            driver=f"emulated://{size[0]}x{size[1]}", fps=fps)
        scenes.prepare(scene, size, settings.data_dir)
        token = _technician_token(settings)
        port = _free_port()
        api = _start_api(settings, port, Path(root) / "api.log", api_nice)
        driver = EmulatedPanel(size)
        driver.open()
        player = build_player(settings, SystemClock(), driver)  # its own clock: wake() is its
        stop = threading.Event()
        loop = threading.Thread(target=player.run, args=(stop,), name="player", daemon=True)
        loop.start()
        try:
            _wait_for_api(port, api, clock, Path(root) / "api.log")
            clock.sleep(warmup)  # the playlist loads and fades in; the API's first requests
            frames = FrameTimes(player, clock)
            frames.start()
            clock.sleep(seconds)
            quiet = frames.stop()
            loaded, load = _load(port, token, seconds, clients, interval, frames, clients_nice)
            state = status_document(player, player.clock.monotonic())["state"]
        finally:
            stop.set()
            player.clock.wake()
            loop.join(10)
            api.terminate()
            try:
                api.wait(10)
            except subprocess.TimeoutExpired:
                api.kill()
                api.wait()
            driver.close()
    increase = (loaded["p99_ms"] / quiet["p99_ms"] - 1) if quiet["p99_ms"] and loaded["p99_ms"] else None
    return {"panel": f"{size[0]}x{size[1]}", "scene": scene, "scene_text": scenes.SCENES[scene],
            "fps": fps, "seconds": seconds, "clients": clients, "interval_s": interval,
            "api_nice": api_nice, "clients_nice": clients_nice,
            "player_state": state, "without_load": quiet, "with_load": loaded,
            "p99_increase": None if increase is None else round(increase, 4),
            "target": TARGET_INCREASE, **load}


def format_report(doc: dict) -> str:
    pace = "as fast as each answer comes" if not doc["interval_s"] else f"every {doc['interval_s']:g} s"
    lines = [f"signage loadtest: emulated {doc['panel']} panel at {doc['fps']:g} fps, scene "
             f"{doc['scene']} ({doc['scene_text']}), player state {doc['player_state']!r}",
             f"{doc['clients']} clients with a technician token polling {' and '.join(PATHS)} "
             f"on 127.0.0.1 ({pace}), {doc['seconds']:g} s per phase; nice: API "
             f"{doc['api_nice']}, clients {doc['clients_nice']}"]
    for name, key in (("without load", "without_load"), ("with load", "with_load")):
        row = doc[key]
        lines.append(f"{name + ':':14}{row['frames']:6d} frames, median {_ms(row['median_ms'])}, "
                     f"p99 {_ms(row['p99_ms'])}, max {_ms(row['max_ms'])}, dropped {row['dropped']}")
    increase = doc["p99_increase"]
    if increase is None:
        lines.append("p99 increase: unknown (no frames timed)")
    else:
        verdict = "within" if increase <= doc["target"] else "OVER"
        lines.append(f"p99 increase: {increase:+.1%} ({verdict} the target of "
                     f"{doc['target']:.0%})")
    rate = doc["requests"] / doc["seconds"] if doc["seconds"] else 0
    lines.append(f"requests served: {doc['requests']} ({', '.join(f'{p} {n}' for p, n in doc['served'].items())}"
                 f"; {rate:.0f}/s), errors: {doc['errors']}")
    lines += [f"error: {e}" for e in doc["first_errors"]]
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


# --- command line ----------------------------------------------------------------------


def add_parser(sub) -> None:
    """Register `signage loadtest` on cli.py's subcommands."""
    parser = sub.add_parser("loadtest", help="time the player's frames without and with 50 "
                            "clients polling the API on 127.0.0.1")
    add_arguments(parser)
    parser.set_defaults(func=cmd_loadtest)


def _size(text: str) -> tuple[int, int]:
    from signage.devtools.bench import parse_resolution
    from signage.devtools.scenes import BenchError

    try:
        return parse_resolution(text)
    except BenchError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `signage loadtest` options."""
    from signage.devtools.scenes import SCENES

    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                        help=f"length of each phase, without and with load (default {DEFAULT_SECONDS:g})")
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS,
                        help=f"concurrent polling clients (default {DEFAULT_CLIENTS})")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_S,
                        help=f"seconds each client waits between rounds (default "
                        f"{DEFAULT_INTERVAL_S:g}; 0: flat out)")
    parser.add_argument("--size", type=_size, default=(768, 384),
                        help="emulated panel WxH, e.g. 768x384 (default) or 1920x1080")
    parser.add_argument("--scene", choices=sorted(SCENES), default="b",
                        help="what the player shows: " + "; ".join(f"{k}: {v}" for k, v in SCENES.items()))
    parser.add_argument("--fps", type=float, default=30.0, help="the player's frame rate (default 30)")
    parser.add_argument("--warmup", type=float, default=DEFAULT_WARMUP_S,
                        help=f"seconds before timing starts (default {DEFAULT_WARMUP_S:g})")
    parser.add_argument("--api-nice", type=int, default=API_NICE,
                        help=f"run the API at this nice level, default {API_NICE} as in "
                        "systemd/signage-api.service (0: the same priority as the player)")
    parser.add_argument("--clients-nice", type=int, default=0,
                        help="run the clients at this nice level, default 0 (clients on the "
                        "box compete with the player as much as they can)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--client-child", action="store_true", help=argparse.SUPPRESS)


def cmd_loadtest(args: argparse.Namespace) -> int:
    """0 when both phases ran and every request was answered; 1 otherwise."""
    if args.client_child:
        return _client_child()
    if args.seconds <= 0 or args.clients < 1 or args.interval < 0:
        print("error: --seconds and --clients must be positive and --interval not negative",
              file=sys.stderr)
        return 2
    doc = run_loadtest(args.seconds, args.clients, args.size, args.scene, args.fps,
                       args.interval, args.warmup, args.api_nice, args.clients_nice)
    print(json.dumps(doc, indent=1) if args.json else format_report(doc))
    return 0 if doc["errors"] == 0 and doc["with_load"]["frames"] and doc["without_load"]["frames"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signage loadtest", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return cmd_loadtest(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
