"""`signage emergency`: post, list and cancel emergency notices at the box's console.

For a technician on site or over SSH when the office network is down: no API token and no
curl. A notice passes the same door as POST /api/emergency (EmergencyNotice and its
window), lands in the same store, and the player shows it within a second. Each post and
cancel is in the audit log as `console:<NAME>`, under the role `signage import` uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from signage.cli.actor import CONSOLE_ROLE, console_actor  # noqa: F401  (CONSOLE_ROLE: tests)
from signage.cli.stores import open_existing_store
from signage.clock import Clock, SystemClock
from signage.errors import SignageError, StoreError, StoreUnavailable
from signage.services import emergency as emergencies
from signage.services.emergency import NOT_STORED as REFUSED
from signage.services.errors import Refused
from signage.settings import Settings

TIME_EXAMPLE = "write e.g. 2027-03-10T18:00+07:00 (gate time) or 2027-03-10T11:00Z (UTC)"
LANGUAGES = {"vi": "Vietnamese", "en": "English", "zh": "Chinese"}
# The API document's fields and the flags that fill them, so a refusal names what was typed.
FIELD_FLAGS = {"text.vi": "--vi", "text.en": "--en", "text.zh": "--zh", "starts_at": "--starts",
               "expires_at": "--until", "duration": "--duration", "priority": "--priority"}
ENDS = "--duration/--until"


def make_clock() -> Clock:
    """The clock the commands run on; tests put a FakeClock here."""
    return SystemClock()


# --- the door: the API's checks, and refusals in the technician's words -------------


def flags_document(args):
    """The API's document, built from --vi/--en/--zh and the time flags (absent ones left out)."""
    from signage.content.documents import Document

    data: dict = {"text": {lang: getattr(args, lang) for lang in LANGUAGES
                           if getattr(args, lang) is not None}}
    for flag, field in (("starts", "starts_at"), ("until", "expires_at"),
                        ("duration", "duration"), ("priority", "priority")):
        if getattr(args, flag) is not None:
            data[field] = getattr(args, flag)
    return Document(data, {})


def ends_problem(args) -> str | None:
    """Why the flags do not give the notice exactly one end, or None."""
    if args.duration is not None and args.until is not None:
        return f"{ENDS}: give one of them, not both: --duration 2h (from the start) or --until TIME"
    if args.duration is None and args.until is None:
        return f"{ENDS}: give --duration (e.g. 2h) or --until TIME, so the notice ends by itself"
    return None


def flag_line(problem, until_given: bool = True) -> str:
    """`--flag: reason` for a problem found in a document built from flags."""
    flag = FIELD_FLAGS.get(problem.path, problem.path)
    if flag == "--until" and not until_given:
        flag = "--duration"  # the window's end came from --starts + --duration
    reason = problem.reason.replace("expires_at", "the end time")
    if problem.path.startswith("text.") and reason == "is required":
        lang = problem.path.removeprefix("text.")
        reason = (f"is required: every notice is shown in Vietnamese, English and Chinese; "
                  f"give the {LANGUAGES.get(lang, lang)} text with {flag} TEXT")
    elif flag == "--duration" and "24h" in reason:
        reason = f"{reason}; for up to 7 days give --until TIME instead"
    elif flag in ("--until", "--starts") and reason.startswith("Input should"):
        reason = f"{reason}; {TIME_EXAMPLE}"  # pydantic's own words, which say no example
    return f"{flag}: {reason}"


def read_notice(args, now: dt.datetime):
    """(document, []) to post, or (None, lines saying why not) for flags that cannot make
    one; the notice itself is checked where POST /api/emergency checks it."""
    if args.file is not None:
        mixed = [f"--{name}" for name in (*LANGUAGES, "starts", "until", "duration", "priority")
                 if getattr(args, name) is not None]
        if mixed:
            return None, [f"--file: give the notice as a file or as flags, not both; move "
                          f"{', '.join(mixed)} into {args.file} (only --by goes with --file)"]
        from signage.services.importer import read_document
        from signage.content.documents import DocumentError

        try:
            return read_document(args.file), []
        except DocumentError as exc:
            return None, [p.render(str(args.file)) for p in exc.problems]
    document, ends = flags_document(args), ends_problem(args)
    if ends is None:
        return document, []
    # Say everything else that is wrong with the flags too, in one go.
    from signage.content.documents import DocumentError, validate_emergency

    try:
        validate_emergency(document, now)
    except DocumentError as exc:  # its only whole-document rule is the one-end rule
        return None, [ends] + [flag_line(p, args.until is not None) for p in exc.problems
                               if p.path != "(document)"]
    return None, [ends]


def refusal_lines(args, exc: Refused) -> list[str]:
    """A refused notice's problems, named by what was typed: the file's lines or the flags."""
    if args.file is not None:
        return [p.render(str(args.file)) for p in getattr(exc, "problems", [])] or [str(exc)]
    return [flag_line(p, args.until is not None) for p in getattr(exc, "problems", [])] or [str(exc)]


# --- the store ------------------------------------------------------------------------


# --- commands -------------------------------------------------------------------------


def cmd_emergency(args, clock: Clock | None = None) -> int:
    clock = clock or make_clock()
    settings = Settings.from_env()
    command = {"post": _post, "list": _list, "cancel": _cancel}[args.emergency_command]
    return command(args, settings, clock)


def _post(args, settings: Settings, clock: Clock) -> int:
    try:
        actor, lines = console_actor(args.by), []
    except SignageError as exc:
        actor, lines = None, [str(exc)]
    document, problems = read_notice(args, clock.now())
    lines = problems + lines
    emergency = None
    if not lines:
        store = open_existing_store(settings, clock)
        try:
            emergency = emergencies.post_emergency(store.desired, clock, actor, document)
            _print_posted(emergency, store.desired, clock.now(), ZoneInfo(settings.site_timezone))
        except Refused as exc:
            lines = refusal_lines(args, exc)
        finally:
            store.close()
    if lines:
        for line in lines:
            print(line, file=sys.stderr)
        print(f"error: {REFUSED}", file=sys.stderr)
        return 1
    if not player_alive(settings.status_path, clock.now()):
        print(f"warning: the player has not written {settings.status_path} recently; "
              "the notice is stored and shows once the player runs (check: "
              "systemctl status signage-player)", file=sys.stderr)
    return 0


def player_alive(status_path: Path, now: dt.datetime) -> bool:
    """Whether the player stamped its status recently (as /api/status judges it)."""
    from signage.store.runtime import read_player_state

    return read_player_state(status_path, now).alive


def _print_posted(emergency, desired, now: dt.datetime, zone: ZoneInfo) -> None:
    print(f"emergency notice {emergency.id} stored, priority {emergency.priority}, "
          f"by {emergency.created_by}")
    print(f"starts   {both_times(emergency.starts_at, zone)}")
    print(f"expires  {both_times(emergency.expires_at, zone)}")
    showing = emergencies.showing_id(desired, now)
    if showing == emergency.id:
        status = "on the panel within a second"
    elif emergency.starts_at > now:
        status = "on the panel from its start"
    else:
        status = f"waiting: notice {showing} has a higher priority and is showing"
    print(f"{status}; end it early with: signage emergency cancel {emergency.id}")


def both_times(moment: dt.datetime, zone: ZoneInfo) -> str:
    """The gate's local time and UTC side by side, to the second."""
    local = moment.astimezone(zone).isoformat(sep=" ", timespec="seconds")
    utc = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{local} ({zone.key})  =  {utc}"


def _list(args, settings: Settings, clock: Clock) -> int:
    store = open_existing_store(settings, clock)
    try:
        now = clock.now()
        notices = store.desired.emergencies()
        showing = emergencies.showing_id(store.desired, now)
    finally:
        store.close()
    if args.json:  # the shape GET /api/emergency answers, so scripts can use either
        print(json.dumps({"showing": showing, "emergencies": [
            {**e.as_dict(), "active": e.active(now)} for e in notices]}, ensure_ascii=False,
            indent=2))
        return 0
    if not notices:
        print("no emergency notices; post one with: signage emergency post --vi ... --en ... "
              "--zh ... --duration 2h", file=sys.stderr)
    zone = ZoneInfo(settings.site_timezone)
    for emergency in notices:
        print(list_line(emergency, now, showing, zone))
    return 0


def list_line(emergency, now: dt.datetime, showing: int | None, zone: ZoneInfo) -> str:
    """One notice as a tab-separated line; `*` marks the one on the panel now."""
    mark = "*" if emergency.id == showing else " "
    start = emergency.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    end = emergency.expires_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %z")
    text = emergency.message.vi.replace("\n", " ")
    return (f"{mark}{emergency.id}\t{state_of(emergency, now, showing)}\tpriority "
            f"{emergency.priority}\t{start} -> {end}\t{emergency.created_by}\t{text[:60]}")


def state_of(emergency, now: dt.datetime, showing: int | None) -> str:
    """One word or phrase: SHOWING, outranked, starts later, expired, cancelled by NAME."""
    if emergency.cancelled_at is not None:
        return f"cancelled by {emergency.cancelled_by}"
    if emergency.id == showing:
        return "SHOWING"
    if now >= emergency.expires_at:
        return "expired"
    if now < emergency.starts_at:
        return "starts later"
    return "outranked"  # in its window, but a higher-priority notice has the panel


def _cancel(args, settings: Settings, clock: Clock) -> int:
    actor = console_actor(args.by)
    store = open_existing_store(settings, clock)
    try:
        try:
            before = store.desired.emergency(args.id)
        except StoreUnavailable:  # a busy or broken database, not a missing notice
            raise
        except StoreError:
            raise SignageError(f"no emergency notice has id {args.id}; see the ids with: "
                               "signage emergency list") from None
        if before.cancelled_at is not None:
            print(f"emergency notice {args.id} was already cancelled by {before.cancelled_by} "
                  f"at {both_times(before.cancelled_at, ZoneInfo(settings.site_timezone))}; "
                  "nothing changed")
            return 0
        emergencies.cancel_emergency(store.desired, actor, args.id)
        showing = emergencies.showing_id(store.desired, clock.now())
    finally:
        store.close()
    after = f"notice {showing} takes" if showing else "the schedule gets"
    print(f"emergency notice {args.id} cancelled by {actor.name}; {after} the panel within a second")
    return 0


# --- parser ---------------------------------------------------------------------------


def _notice_id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 2 ** 63 - 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a notice id; see: signage emergency list")
    return int(text)


def add_parser(sub) -> None:
    emergency = sub.add_parser(
        "emergency", help="post, list and cancel emergency notices (no API token needed)")
    actions = emergency.add_subparsers(dest="emergency_command", required=True, metavar="ACTION")
    post = actions.add_parser(
        "post", help="show a trilingual notice on the whole panel until it ends",
        description="Give --vi, --en and --zh with --duration or --until, or --file.")
    for lang, name in LANGUAGES.items():
        post.add_argument(f"--{lang}", metavar="TEXT", help=f"the {name} text")
    post.add_argument("--duration", help="how long it shows from its start, e.g. 2h or 90m")
    post.add_argument("--until", metavar="ISO-TIME",
                      help="when it ends, with its zone, e.g. 2027-03-10T18:00+07:00")
    post.add_argument("--starts", metavar="ISO-TIME", help="when it starts (default: now)")
    # Text, not int: a wrong value is refused with the others, as `--priority: reason`.
    post.add_argument("--priority", metavar="N", help="1-1000; the highest shows (default 100)")
    post.add_argument("--file", type=Path, default=None,
                      help="the notice as the YAML/JSON document POST /api/emergency takes")
    post.add_argument("--by", metavar="NAME", help="who posts it (default: your login name)")
    listing = actions.add_parser("list", help="every notice, newest first; * marks the one showing")
    listing.add_argument("--json", action="store_true", help="as GET /api/emergency answers")
    cancel = actions.add_parser("cancel", help="end a notice now")
    cancel.add_argument("id", type=_notice_id, metavar="ID")
    cancel.add_argument("--by", metavar="NAME", help="who cancels it (default: your login name)")
    emergency.set_defaults(func=cmd_emergency)
