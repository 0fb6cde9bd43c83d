"""Commands that talk to devices directly: `signage panel` and `signage emulate-panel`.

`signage panel --device URL ...` is for a technician on site with a laptop on the
sending card's RS-232 port (no player, no database needed). `signage emulate-panel`
plays the device's part on a pseudo-terminal, for demos, tests and training. Which
devices each speaks to, and their test patterns, come from the driver registry.
"""

from __future__ import annotations

import argparse
import json
import logging
import select
import sys
import threading
import time
from pathlib import Path

from signage.cli.signals import on_stop_signals

log = logging.getLogger("signage")

EMULATOR_COMMANDS = """commands (one per line on standard input):
  fault no-answer|bad-checksum|ack01|garbage|off   make the NovaStar card misbehave
  unplug | plug                                    pull or reconnect the cable
  save FILE.png                                    write the sign's picture (tpm2/adalight)
  status                                           print the device state
  quit"""


# --- signage panel ------------------------------------------------------------------------


def cmd_panel(args) -> int:
    """One command against a device; a fault exits 1 with the driver's message."""
    from drivers.base import DriverConfigError
    from drivers.registry import family_for, open_driver

    if not family_for(args.device).control_link:
        raise DriverConfigError(
            f"{args.device} is not a control link; `signage panel` speaks to a sending "
            f"card's control port ({', '.join(_control_links())}), e.g. --device "
            "novastar:///dev/ttyUSB0"
        )
    driver = open_driver(args.device)
    _open_now(driver)
    try:
        action = args.panel_command
        if action == "status":
            status = driver.read_status()
            print(json.dumps(status, indent=2, ensure_ascii=False) if args.json
                  else _status_text(status))
        elif action == "brightness":
            driver.set_brightness(args.percent)
            print(f"brightness set to {args.percent:g}%")
        elif action == "blackout":
            driver.set_power(args.state == "off")
            print("wall blanked" if args.state == "on" else "wall showing video")
        elif action == "test-pattern":
            pattern = None if args.name == "off" else args.name
            driver.show_test_pattern(pattern)
            print(f"test pattern {args.name}")
        elif action == "save":
            driver.save()
            print("settings saved to the receiving cards' flash")
    finally:
        driver.close()
    return 0


def _open_now(driver) -> None:
    """Open the control link only (no telemetry poller) and fail at once if the port is not
    there: a technician wants the answer now, not a retry loop."""
    from drivers.base import DriverUnavailable

    if not driver.open_link():
        raise DriverUnavailable("the port could not be opened; check the cable and the path")


def _status_text(status: dict) -> str:
    lines = [
        f"link:        {status.get('link')}",
        f"model:       {status.get('model') or 'unknown'}",
        f"DVI signal:  {_yes_no(status.get('dvi_signal'))}",
        f"brightness:  {_unit(status.get('brightness'), '%')}",
        f"power:       {'on' if status.get('power') else 'blanked' if status.get('power') is False else 'unknown'}",
        f"test pattern: {status.get('test_pattern') or 'off'}",
    ]
    for card in status.get("cards", []):
        where = f"card {card['port']}:{card['index']}"
        if not card.get("present"):
            lines.append(f"{where:12} missing (not answering)")
            continue
        lines.append(f"{where:12} {_unit(card.get('temperature_c'), ' °C'):>9}  "
                     f"{_unit(card.get('voltage_v'), ' V'):>7}")
    return "\n".join(lines)


def _yes_no(value) -> str:
    return "unknown" if value is None else "present" if value else "absent"


def _unit(value, unit: str) -> str:
    return "unknown" if value is None else f"{value:g}{unit}"


# --- signage emulate-panel ----------------------------------------------------------------


def cmd_emulate_panel(args) -> int:
    from drivers.ptyport import PtyPort
    from drivers.registry import family

    options = dict(pair.split("=", 1) for pair in args.map) if args.map else {}
    device = family(args.protocol).peer(args.size, options)
    if args.fault:
        device.fault = args.fault
    port = PtyPort(device, link=args.link)
    port.plug()
    print(port.path, flush=True)  # the one line a script waits for
    log.info("emulating a %s device on %s; %s", args.protocol, port.path,
             "type 'help' for commands" if sys.stdin.isatty() else "commands on stdin")
    stop = threading.Event()
    on_stop_signals(stop.set)
    hello = getattr(device, "hello", None)
    next_hello = 0.0
    try:
        while not stop.is_set():
            if hello is not None and time.monotonic() >= next_hello:
                port.send(hello())  # Adalight boards announce themselves while idle
                next_hello = time.monotonic() + 1.0
            line = _read_line(timeout=0.2)
            if line is None:
                continue
            if line == "" or line.strip() == "quit":
                if line == "" and not args.exit_on_eof:
                    stop.wait(0.2)  # stdin closed (e.g. under systemd): keep serving
                    continue
                break
            print(_emulator_command(line.strip(), device, port), flush=True)
    finally:
        if args.save and hasattr(device, "save_png"):
            device.save_png(args.save)
            log.info("saved the sign's picture to %s", args.save)
        port.close()
    return 0


def _read_line(timeout: float) -> str | None:
    """A line from stdin, '' at end of input, None if nothing arrived in time."""
    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
    except (OSError, ValueError):
        time.sleep(timeout)
        return None
    return sys.stdin.readline() if ready else None


def _emulator_command(line: str, device, port) -> str:
    words = line.split()
    if not words or words[0] == "help":
        return EMULATOR_COMMANDS
    verb, rest = words[0], words[1:]
    if verb == "fault" and rest and hasattr(device, "fault"):
        device.fault = None if rest[0] == "off" else rest[0]
        return f"fault: {device.fault or 'off'}"
    if verb == "unplug":
        port.unplug()
        return "unplugged"
    if verb == "plug":
        port.plug()
        return f"plugged in at {port.path}"
    if verb == "save" and rest and hasattr(device, "save_png"):
        device.save_png(rest[0])
        return f"saved {rest[0]}"
    if verb == "status":
        return json.dumps(device.state(), ensure_ascii=False)
    return f"unknown command {line!r}\n{EMULATOR_COMMANDS}"


# --- parsers --------------------------------------------------------------------------------


def add_parsers(sub, size_type) -> None:
    panel = sub.add_parser("panel", help="talk to a sending card directly (on site)")
    panel.add_argument("--device", required=True,
                       help="control link URL, e.g. novastar:///dev/ttyUSB0?baud=115200")
    actions = panel.add_subparsers(dest="panel_command", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="model, DVI signal, each card's temperature and voltage")
    status.add_argument("--json", action="store_true", help="print one JSON document")
    brightness = actions.add_parser("brightness", help="set brightness in percent")
    brightness.add_argument("percent", type=_percent)
    blackout = actions.add_parser("blackout", help="blank the wall (on) or show video again (off)")
    blackout.add_argument("state", choices=("on", "off"))
    pattern = actions.add_parser("test-pattern", help="show a self-test pattern, or off")
    pattern.add_argument("name", choices=_control_link_patterns() + ("off",))
    actions.add_parser("save", help="store the settings in the receiving cards' flash")
    panel.set_defaults(func=cmd_panel)

    emulate = sub.add_parser(
        "emulate-panel", help="act as a device on a pseudo-terminal and print its path",
        description="Serve an emulated device on a pseudo-terminal.\n\n" + EMULATOR_COMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    emulate.add_argument("--protocol", choices=_emulated_protocols(), required=True)
    emulate.add_argument("--size", type=size_type, default=(64, 32),
                         help="sign size for tpm2/adalight (default 64x32)")
    emulate.add_argument("--map", action="append", metavar="KEY=VALUE",
                         help="the sign's wiring, as in the driver URL: wiring=serpentine, "
                              "rotate=90, flip=x, start=top-left (repeatable)")
    emulate.add_argument("--link", type=Path, help="also make this symlink to the pty "
                         "(stays valid across unplug/plug)")
    emulate.add_argument("--fault", choices=("no-answer", "bad-checksum", "ack01", "garbage"),
                         help="start with this NovaStar fault switched on")
    emulate.add_argument("--save", type=Path, help="write the sign's picture here on exit")
    emulate.add_argument("--exit-on-eof", action="store_true",
                         help="stop when standard input closes")
    emulate.set_defaults(func=cmd_emulate_panel)


def _control_links() -> list[str]:
    """The driver families `signage panel` speaks to."""
    from drivers.registry import families

    return [family.scheme for family in families() if family.control_link]


def _control_link_patterns() -> tuple[str, ...]:
    """Every test pattern some control link shows (the device refuses one it lacks)."""
    from drivers.registry import families

    names = (name for family in families() if family.control_link for name in family.patterns)
    return tuple(dict.fromkeys(names))


def _emulated_protocols() -> list[str]:
    """The driver families `signage emulate-panel` can play."""
    from drivers.registry import families

    return [family.scheme for family in families() if family.peer is not None]


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage; write e.g. 40") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text}: brightness must be 0..100 percent")
    return value
