"""`signage schedule`: what plays when, brightness and power, for a day (text) or a week (PNG)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from signage.errors import SignageError
from signage.settings import Settings


def cmd_schedule(args) -> int:
    from signage.render.weekchart import draw_week
    from signage.schedule.plan import format_day

    schedule, where = _schedule(args.file)
    date = args.date or dt.datetime.now(schedule.zone).date()
    print(f"# {where}", file=sys.stderr)
    print(format_day(schedule, date), end="")
    if args.png:
        out = draw_week(schedule, date, args.png)
        print(f"wrote the week from {date.isoformat()} to {out}", file=sys.stderr)
    return 0


def _schedule(file: Path | None):
    """The schedule from a file, or the one the player follows (from the store)."""
    if file is not None:
        from signage.content.documents import load_model
        from signage.schedule.rules import Schedule

        return load_model(file.read_bytes(), Schedule), str(file)
    from signage.cli.stores import open_existing_store

    store = open_existing_store()
    try:
        live = store.content.live_schedule()
    finally:
        store.close()
    if live is None:
        raise SignageError("no schedule is published; import one (signage import "
                           "playlists/schedule.yaml) or give --file FILE")
    revision, schedule = live
    return schedule, f"schedule {schedule.name!r}, revision {revision}"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def add_parser(sub) -> None:
    schedule = sub.add_parser(
        "schedule", help="print a day's plan (playlists, power, brightness); --png draws the week")
    schedule.add_argument("--date", type=_date, default=None,
                          help="the day to show, YYYY-MM-DD (default: today at the site)")
    schedule.add_argument("--file", type=Path, default=None,
                          help="a schedule file (default: the published schedule)")
    schedule.add_argument("--png", type=Path, default=None,
                          help="also draw the week starting at --date into this PNG")
    schedule.set_defaults(func=cmd_schedule)
