"""The `signage` command: one entry point for staff, technicians and systemd."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from pathlib import Path

from signage.content.documents import DocumentError
from signage.errors import SignageError
from signage.settings import DEFAULT_DRIVER, DEFAULT_LISTEN, Settings
from signage.cli.signals import on_stop_signals

log = logging.getLogger("signage")


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _parse_listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"--listen {text!r}: write HOST:PORT, e.g. 127.0.0.1:8080")
    return host, int(port)


# --- commands ---------------------------------------------------------------------------


def cmd_validate(args) -> int:
    from signage.content.wording import language_from_env

    settings = Settings.from_env()
    lang = args.lang or language_from_env()
    bad = 0
    for source in args.files:
        try:
            problems, summary = _validate_file(source, settings, args.panel)
        except DocumentError as exc:
            problems, summary = exc.problems, None
        for problem in problems:
            print(problem.human(str(source), lang))
        if summary is None or any(not problem.warning for problem in problems):
            bad += 1
        elif not args.quiet:
            print(f"{source}: ok ({summary})", file=sys.stderr)
    return 1 if bad else 0


def _validate_file(source: Path, settings: Settings, panel: tuple[int, int] | None):
    """(errors then warnings, a one-line summary) for a playlist or schedule file."""
    from drivers.registry import panel_size
    from signage.render.checks import Limits, check_playlist, fonts_for
    from signage.content.documents import validate_document
    from signage.services.importer import (asset_problems, findings_as_problems, is_schedule,
                                  playlist_names_beside, read_document)
    from signage.content.models import Playlist

    document = read_document(source)
    if is_schedule(document):
        from signage.schedule.rules import Schedule

        schedule = validate_document(document, Schedule)
        known = playlist_names_beside(source)
        problems = findings_as_problems(schedule, document, known or None)
        return problems, f"schedule {schedule.name}, {len(schedule.rules)} rules"
    playlist = validate_document(document, Playlist)
    panel = panel or panel_size(settings.driver)
    files, problems = asset_problems(document, playlist, source=source)
    found = check_playlist(playlist, fonts_for(settings), panel, document=document,
                           limits=Limits.from_settings(settings), asset_file=files.get)
    summary = f"{playlist.name}, {playlist.item_count()} items, {panel[0]}x{panel[1]} panel"
    return problems + found.errors + found.warnings, summary


def cmd_import(args) -> int:
    from signage.services.importer import import_paths
    from signage.store import Store

    settings = Settings.from_env()
    store = Store(settings.data_dir)
    try:
        for imported in import_paths(store, args.paths, activate=args.activate):
            print(f"{imported.source}: {imported.name} revision {imported.revision}")
    except DocumentError as exc:
        for problem in exc.problems:
            print(problem.render(str(getattr(exc, "source", "import"))), file=sys.stderr)
        return 1
    print(f"active playlist: {store.content.active_playlist()}")
    return 0


def cmd_player(args) -> int:
    from drivers.registry import open_driver
    from drivers.resilient import KeepTrying
    from signage.clock import SystemClock
    from signage.player.loop import build_player

    from signage.store.locks import PLAYER_LOCK, DataDirLock

    settings = Settings.from_env(driver=args.driver, fps=args.fps)
    # One player per data dir (and so per panel): a second one refuses before it opens
    # the device. Held until the process ends.
    lock = DataDirLock(settings.data_dir, PLAYER_LOCK, "player").acquire()
    clock = SystemClock()
    # A device that is not there yet is retried while the loop runs (status shows it down).
    driver = KeepTrying(open_driver(settings.driver), clock, name=settings.driver)
    driver.open()
    player = build_player(settings, clock, driver)
    stop = threading.Event()
    on_stop_signals(stop.set, clock.wake)
    log.info("player started on %s at %g fps, data in %s", settings.driver, settings.fps,
             settings.data_dir)
    try:
        player.run(stop)
    finally:
        driver.close()
        lock.release()
    log.info("player stopped after %d frames", player.frames)
    return 0


def cmd_api(args) -> int:
    import uvicorn

    from signage.api.server import ServerLimits, server_config
    from signage.console.app import create_console_app

    host, port = args.listen
    settings = Settings.from_env()
    app = create_console_app(settings)  # the REST API under /api, the staff console at /
    # Limits, timeouts and forwarded headers from trusted proxies only: see api/server.py.
    limits = ServerLimits.for_this_process()
    uvicorn.Server(server_config(app, settings, limits, host=host, port=port)).run()
    return 0


def cmd_run(args) -> int:
    from signage.cli.supervisor import run_children

    from drivers.registry import open_driver

    from signage.store.locks import PLAYER_LOCK, RUN_LOCK, AlreadyRunning, DataDirLock

    settings = Settings.from_env(driver=args.driver)
    open_driver(settings.driver)  # a wrong URL fails here, not in a restart loop
    run_lock = DataDirLock(settings.data_dir, RUN_LOCK, "`signage run`").acquire()
    player_lock = DataDirLock(settings.data_dir, PLAYER_LOCK, "player")
    if player_lock.is_held():  # a `signage player` of its own, or one still stopping
        pid = player_lock.holder()
        raise AlreadyRunning(f"a player (pid {pid or 'unknown'}) already drives the data "
                             f"directory {settings.data_dir}; stop it first", pid)
    if args.seed:
        from signage.services.importer import import_paths
        from signage.store import Store

        store = Store(settings.data_dir)
        if not store.content.playlist_names():
            imported = import_paths(store, [args.seed])
            log.info("first run: imported %d sample playlists from %s", len(imported), args.seed)
        store.close()
    host, port = args.listen
    try:
        return run_children(settings, listen=f"{host}:{port}")
    finally:
        run_lock.release()


def cmd_preview(args) -> int:
    from signage.services.preview import render_preview_file

    from signage.render.fonts import FontBook

    fonts = FontBook(Settings.from_env().fonts)
    out = render_preview_file(args.file, args.at, args.size, args.out, fonts)
    print(f"wrote {out}")
    return 0


# --- parser -----------------------------------------------------------------------------


def _duration(text: str) -> float:
    from signage.content.models import parse_duration

    try:
        return parse_duration(text) if text not in ("0", "0s") else 0.0
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _size(text: str) -> tuple[int, int]:
    from drivers.base import DriverConfigError
    from drivers.urls import parse_size

    try:
        return parse_size(text)
    except DriverConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="signage", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the player and the API, restarting either if it dies")
    run.add_argument("--driver", default=None, help=f"driver URL (default {DEFAULT_DRIVER})")
    run.add_argument("--listen", type=_parse_listen, default=_parse_listen(DEFAULT_LISTEN),
                     help=f"API address HOST:PORT (default {DEFAULT_LISTEN})")
    run.add_argument("--seed", type=Path, default=None,
                     help="import this content folder first if the store has no playlists")
    run.set_defaults(func=cmd_run)

    player = sub.add_parser("player", help="run the frame loop on a driver")
    player.add_argument("--driver", default=None, help=f"driver URL (default {DEFAULT_DRIVER})")
    player.add_argument("--fps", type=float, default=None, help="frames per second (default 30)")
    player.set_defaults(func=cmd_player)

    api = sub.add_parser("api", help="serve the admin API (/api) and the staff console (/)")
    api.add_argument("--listen", type=_parse_listen, default=_parse_listen(DEFAULT_LISTEN))
    api.set_defaults(func=cmd_api)

    validate = sub.add_parser("validate", help="check playlist files; print FILE:LINE: field: reason")
    validate.add_argument("files", nargs="+", type=Path)
    validate.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    validate.add_argument("--lang", choices=("vi", "en"), default=None,
                          help="language of the messages (default: vi when LC_ALL, LC_MESSAGES "
                               "or LANG starts with vi, else en)")
    validate.add_argument("--panel", type=_size, default=None,
                          help="panel WxH to check legibility on (default: the driver URL's size)")
    validate.set_defaults(func=cmd_validate)

    imp = sub.add_parser("import", help="import playlist files and the images they name")
    imp.add_argument("paths", nargs="+", type=Path, help="files or folders of .yaml/.json")
    imp.add_argument("--activate", help="make this playlist the one that plays")
    imp.set_defaults(func=cmd_import)

    preview = sub.add_parser("preview", help="render one frame of a playlist file to PNG")
    preview.add_argument("file", type=Path)
    preview.add_argument("--at", type=_duration, default=0.0, help="offset, e.g. 5s (default 0)")
    preview.add_argument("--out", type=Path, default=Path("frame.png"))
    preview.add_argument("--size", type=_size, default=(768, 384), help="panel WxH (768x384)")
    preview.set_defaults(func=cmd_preview)

    from signage.cli import devices as cli_devices
    from signage.cli import emergency as cli_emergency
    from signage.cli import people as cli_people
    from signage.cli import schedule as cli_schedule
    from signage.devtools import bench, faultcheck, loadtest

    cli_devices.add_parsers(sub, _size)
    cli_schedule.add_parser(sub)
    cli_people.add_parser(sub)
    cli_emergency.add_parser(sub)
    bench_parser = sub.add_parser(
        "bench", help="time standard scenes through the player and a naive Pillow loop")
    bench.add_arguments(bench_parser)
    bench_parser.set_defaults(func=bench.cmd_bench)
    loadtest.add_parser(sub)
    faultcheck.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # What we create (the database and its WAL, assets, status) is for this user only:
    # signage.db holds password hashes. systemd's UMask=0077 says the same.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return args.func(args)
    except DocumentError as exc:
        for problem in exc.problems:
            print(f"error: {problem.path}: {problem.reason}", file=sys.stderr)
        return 1
    except SignageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # drivers raise their own errors; they must not become tracebacks
        from drivers.base import DriverError

        if isinstance(exc, DriverError):
            print(f"error: driver: {exc}", file=sys.stderr)
            return 1
        raise
