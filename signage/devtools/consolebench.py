"""`signage bench --console`: the server's time per console page on a store of real size.

A temp data dir is seeded (devtools.seed: 1,000 revisions, 500 assets, 100,000 plays by
default), the app is built over it (the console's `create_console_app` when it exists, else
the API's `create_app`) and served by a real uvicorn on 127.0.0.1, configured as `signage
api` runs it. One person of each role a page needs signs in (the console's form with its
CSRF field; the API's POST /api/login for the API reads), then every page in
`signage.console.pages.PAGES`, and the heaviest API reads beside them, is asked for N times
after one warm-up request.

What is timed is the server's own time: the `Server-Timing: app;dur=` each answer carries
(signage.api.security.ServerTiming, from the request reaching the app to its answer
starting), not the round trip, so neither the client nor the loopback is counted. The
server runs in a thread of this process: requests go one at a time and the client waits
idle for each answer, so it does not compete for the interpreter while the server works.
Prints one row per page: requests, p50/p95/max ms, the answer's bytes, and whether the p95
is under TARGET_MS (the issue's 50 ms). A page that answers anything but 200 is an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import html.parser
import json
import logging
import math
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

from signage.clock import FakeClock
from signage.devtools.scenes import BenchError
from signage.api.server import serving_on_loopback
from signage.devtools.seed import PASSWORD, PEOPLE, Seeded, seed_store
from signage.settings import Settings
from signage.store import Store
from signage.store.access import ROLES
from signage.store.runtime import write_json

DEFAULT_REQUESTS = 50
TARGET_MS = 50.0
# The first request of each page is not counted: templates compile, caches fill.
WARMUP_REQUESTS = 1
# The heaviest reads the console's pages are made of, timed beside (or, before the console
# exists, instead of) its pages.
API_READS = ("/api/revisions", "/api/revisions?limit=1000", "/api/assets",
             "/api/plays/summary", "/api/plays", "/api/audit", "/api/audit?limit=1000",
             "/api/status", "/api/schedule", "/api/playlists")
START = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.timezone.utc)  # seeding moves 90 days on
ROW_KEYS = ("page", "role", "requests", "p50_ms", "p95_ms", "max_ms", "cpu_p50_ms", "bytes",
            "under_target")
SERVER_START_S = 30.0
_TIMING = re.compile(r"(?:^|,)\s*app;dur=([0-9.]+)\s*(?:,|$)")


@dataclasses.dataclass(frozen=True)
class Target:
    """One page to time: its name in the table, its path, and who may see it."""

    name: str
    path: str
    roles: tuple[str, ...] | None  # None: anyone, signed in or not
    console: bool  # a console page (cookie session) or an API read (bearer token)


def run_console_bench(*, revisions: int = 1000, assets: int = 500, plays: int = 100_000,
                      requests: int = DEFAULT_REQUESTS, json_out: bool | None = None,
                      progress: Callable[[str], None] | None = None) -> dict:
    """Seed, serve, sign in, time every page; the document (printed as JSON when
    `json_out` is True, as the table when False)."""
    if requests < 1:
        raise BenchError("--requests must be at least 1")
    say = progress or (lambda _line: None)
    with tempfile.TemporaryDirectory(prefix="signage-bench-console-") as root:
        settings = Settings(Path(root, "data"), Path(root, "run"))
        settings.runtime_dir.mkdir(parents=True)
        clock = FakeClock(START)
        store = Store(settings.data_dir, clock)
        try:
            began = time.perf_counter()
            with _quiet_logs():
                seeded = seed_store(store, revisions=revisions, assets=assets, plays=plays,
                                    clock=clock, progress=say, settings=settings)
            seed_s = time.perf_counter() - began
            _write_player_status(settings, clock, seeded)
            app, pages = build_app(settings, clock, store)
            targets = pages + api_targets(app)
            load_before = _load()
            rows, notes = _time_pages(app, settings, targets, requests, seeded, say)
        finally:
            store.close()
    document = {"pages": rows, "requests": requests, "warmup_requests": WARMUP_REQUESTS,
                "target_ms": TARGET_MS, "console": bool(pages),
                "store": {"revisions": seeded.revisions, "assets": seeded.assets,
                          "plays": seeded.plays, "states": seeded.states,
                          "rollbacks": seeded.rollbacks, "seed_s": round(seed_s, 1)},
                "python": sys.version.split()[0], "notes": notes,
                "machine": {"cpus": os.cpu_count(), "load_before": load_before,
                            "load_after": _load()},
                "errors": [row["page"] for row in rows if row.get("error")]}
    if json_out is True:
        print(json.dumps(document, ensure_ascii=False, indent=1))
    elif json_out is False:
        print(format_table(document))
    return document


def _time_pages(app, settings: Settings, targets: list[Target], requests: int,
                seeded: Seeded, say: Callable[[str], None]) -> tuple[list[dict], list[str]]:
    """Serve `app` and time every target: (rows, notes on targets left out)."""
    rows, notes = [], []
    server = serving_on_loopback(app, settings, start_timeout_s=SERVER_START_S)
    with _quiet_logs(), server as base, _Sessions(base) as sessions:
        for target in targets:
            row, note = measure(target, sessions, requests, seeded)
            if row is not None:
                rows.append(row)
                say(f"bench: {target.name}: " + (row.get("error") or
                                                 f"p95 {row['p95_ms']:.1f} ms"))
            if note:
                notes.append(note)
    return rows, notes


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Seeding posts emergency notices, and the client logs each request: lines meant for
    a technician or a debugger, not for a bench's output."""
    loggers = [logging.getLogger(name) for name in ("signage", "httpx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _write_player_status(settings: Settings, clock: FakeClock, seeded: Seeded) -> None:
    """A status document such as a playing player writes (GET /api/status and the
    overview read it), fresh by the clock the app runs on."""
    now = clock.now()
    write_json(settings.status_path, {
        "version": "bench", "pid": 4242, "started_at": (now - dt.timedelta(days=3)).isoformat(),
        "updated_at": now.isoformat(), "uptime_s": 259200.0, "rss_mb": 84.0, "state": "playing",
        "screen": "content", "frames": 7_776_000, "target_fps": 30.0, "fps": 29.97,
        "frame_ms": {"median": 4.1, "p99": 9.8, "max": 21.0}, "dropped_frames": 12,
        "playlist": seeded.playlists[0], "revision": None,
        "item": {"playlist": seeded.playlists[0], "index": 0, "kind": "message"},
        "zones": [], "schedule": {"rule": None, "next_change": None, "next_check": None},
        "emergency": None, "power": {"on": True, "reason": "on"},
        "brightness": {"desired": 100, "source": "schedule", "applied": None},
        "test_pattern": None, "time": {"trusted": True, "reason": "ntp"},
        "panel_control": {}, "driver": {"url": "emulated://", "ok": True, "size": [768, 384]},
        "errors": []})


def build_app(settings: Settings, clock: FakeClock, store: Store):
    """(app, console page targets): the console app (the API within) and its PAGES."""
    from signage.console.app import create_console_app
    from signage.console.pages import PAGES

    pages = [Target(page.name, page.path, tuple(page.roles) if page.roles else None, True)
             for page in PAGES]
    return create_console_app(settings, clock=clock, store=store), pages


def api_targets(app) -> list[Target]:
    """API_READS, each with the roles its route declares."""
    from signage.api import route_roles

    roles = route_roles(app)
    return [Target(path, path, roles.get(("GET", path.split("?")[0])), False)
            for path in API_READS]


class _CsrfField(html.parser.HTMLParser):
    """The value of the sign-in form's hidden `csrf` input."""

    def __init__(self):
        super().__init__()
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("name") == "csrf" and self.value is None:
            self.value = fields.get("value")


class _Sessions:
    """One signed-in HTTP client per (role, console or API), made when first needed."""

    def __init__(self, base: str):
        self.base = base
        self.clients: dict[tuple[str | None, bool], object] = {}

    def __enter__(self) -> "_Sessions":
        return self

    def __exit__(self, *_exc) -> None:
        for client in self.clients.values():
            client.close()

    def client(self, role: str | None, console: bool):
        key = (role, console)
        if key not in self.clients:
            try:
                import httpx  # a test dependency: the `signage` command starts without it
            except ModuleNotFoundError:
                raise BenchError("bench --console needs httpx: pip install 'signage[test]' "
                                 "(make install does)") from None
            # Origin as a browser sends it with a form of this site (the console checks it).
            client = httpx.Client(base_url=self.base, trust_env=False, timeout=30,
                                  headers={"Origin": self.base})
            if role is not None:
                name = PEOPLE[role][0]
                (self._sign_in if console else self._log_in)(client, name)
            self.clients[key] = client
        return self.clients[key]

    @staticmethod
    def _sign_in(client, name: str) -> None:
        """The console's form: GET /signin sets the form's CSRF cookie, the form holds it."""
        form = client.get("/signin")
        parser = _CsrfField()
        parser.feed(form.text)
        answer = client.post("/signin", data={"name": name, "password": PASSWORD,
                                               "csrf": parser.value or ""})
        if answer.status_code >= 400 or "signage_session" not in client.cookies:
            raise BenchError(f"signing in as {name} failed: {answer.status_code} "
                             f"{answer.text[:200]}")

    @staticmethod
    def _log_in(client, name: str) -> None:
        answer = client.post("/api/login", json={"name": name, "password": PASSWORD})
        if answer.status_code != 200:
            raise BenchError(f"logging in as {name} failed: {answer.status_code} {answer.text[:200]}")
        client.headers["Authorization"] = f"Bearer {answer.json()['token']}"


def concrete_path(path: str, seeded: Seeded) -> str | None:
    """`path` with its {parameters} filled from what was seeded; None if one is unknown."""
    values = {"name": seeded.playlists[0], "playlist": seeded.playlists[0]}
    if seeded.pending:
        for key in ("id", "revision", "revision_id"):
            values[key] = str(seeded.pending[0])
    try:
        return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)
    except KeyError:
        return None


def role_for(roles: tuple[str, ...] | None) -> str | None:
    """Who asks for a page: the least powerful role allowed (the store's order of ROLES),
    so the figure is what most of its users get; None when anyone may."""
    if not roles:
        return None
    known = [role for role in ROLES if role in roles]
    if not known:
        raise BenchError(f"no seeded person has any of the roles {', '.join(roles)}")
    return known[0]


def measure(target: Target, sessions: _Sessions, requests: int,
            seeded: Seeded) -> tuple[dict | None, str | None]:
    """(row, note): `requests` timed GETs of the target after the warm-up."""
    path = concrete_path(target.path, seeded)
    if path is None:
        return None, f"{target.name}: skipped, {target.path} has a parameter the bench cannot fill"
    role = role_for(target.roles)
    client = sessions.client(role, target.console)
    times, cpu, size, error = [], [], 0, None
    for number in range(WARMUP_REQUESTS + requests):
        cpu_before = time.process_time()
        answer = client.get(path)
        cpu_ms = (time.process_time() - cpu_before) * 1000
        if answer.status_code != 200:
            error = f"{path} answered {answer.status_code}: {answer.text[:200]}"
            break
        found = _TIMING.search(answer.headers.get("server-timing", ""))
        if found is None:
            error = f"{path} carried no Server-Timing app;dur= header"
            break
        size = len(answer.content)
        if number >= WARMUP_REQUESTS:
            times.append(float(found.group(1)))
            cpu.append(cpu_ms)
    row = {"page": path, "name": target.name, "role": role or "-", "requests": len(times),
           **figures(times), "cpu_p50_ms": round(statistics.median(cpu), 1) if cpu else None,
           "bytes": size}
    row["under_target"] = None if row["p95_ms"] is None else row["p95_ms"] < TARGET_MS
    if error:
        row["error"] = error
    return row, None


def figures(times: list[float]) -> dict:
    """p50, p95 (nearest rank) and max of `times`, in ms; None when there are none."""
    if not times:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)],
            "max_ms": ordered[-1]}


def format_table(document: dict) -> str:
    """One aligned row per page, then what the store held and what was timed."""
    headers = ROW_KEYS[:-1] + (f"p95<{document['target_ms']:g}ms",)
    cells = [[_cell(key, row[key]) for key in ROW_KEYS] for row in document["pages"]]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(headers)]

    def aligned(values) -> str:
        return "  ".join(v.ljust(w) if i < 2 else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    store = document["store"]
    lines = [aligned(headers), *map(aligned, cells), "",
             f"store: {store['revisions']} revisions ({_states(store)}), {store['assets']} "
             f"assets, {store['plays']} plays; seeded in {store['seed_s']} s",
             f"timed: the server's own time (Server-Timing app;dur), {document['requests']} "
             f"requests per page after {document['warmup_requests']} warm-up, one at a time, "
             f"uvicorn on 127.0.0.1; python {document['python']}",
             "cpu_p50_ms: this process's CPU time per request (the server's work and the "
             "client's, both here); unlike the others, other work on the machine barely moves it"]
    machine = document["machine"]
    lines.append(f"machine: {machine['cpus']} CPUs, load average {machine['load_before']} "
                 f"before the requests, {machine['load_after']} after")
    lines += [f"note: {note}" for note in document["notes"]]
    lines += [f"error: {row['page']}: {row['error']}" for row in document["pages"]
              if row.get("error")]
    return "\n".join(lines)


def _load() -> list[float]:
    """The 1, 5 and 15 minute load averages: other work on the machine shows in a p95."""
    return [round(value, 2) for value in os.getloadavg()]


def _states(store: dict) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(store["states"].items())) + \
        f"; {store['rollbacks']} rollbacks"


def _cell(key: str, value) -> str:
    if value is None:
        return "-"
    if key == "under_target":
        return "yes" if value else "NO"
    if key.endswith("_ms"):
        return f"{value:.1f}"
    return str(value)


def cmd_console(args) -> int:
    """`signage bench --console` from parsed options; 1 if a page failed."""
    try:
        document = run_console_bench(
            revisions=args.revisions, assets=args.assets, plays=args.plays,
            requests=args.requests, json_out=args.json,
            progress=lambda line: print(line, file=sys.stderr, flush=True))
    except (BenchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1 if document["errors"] else 0
