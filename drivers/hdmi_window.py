"""The HDMI window process: `python -m drivers.hdmi_window CONFIG SOCKET_FD BUFFER_FD`.

A borderless full-screen pygame window, black everywhere but the sending card's capture
region, which shows the frame the driver (drivers.hdmi) left in a shared slot. It runs
apart from the player because Xlib ends the whole process when the X server goes away;
see drivers/hdmi.py. Driver and window talk in JSON lines over a socket pair (`Channel`):
the driver sends `state`, `frame` (the slot to show and the rectangles that changed) and
`quit`; the window answers each one once it is on screen. Only changed rectangles reach
the display (drivers.hdmi_output says how); the whole window is drawn again only when it
opens, on a state change, when X says it was exposed or resized, and when the slot shown
changes.

Frames cross in shared memory as XRGB8888 (bytes B, G, R, x: pygame's default 32-bit
surface), the format of the window surface, so blits stay plain copies. The file holds
several frame slots (drivers.hdmi_slots); the window remembers which one it shows, and
every redraw reads that one.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import mmap
import select
import signal
import socket
import sys
import time

import pygame

from drivers.base import DriverConfigError
from drivers.hdmi_output import BLACK, Look, choose_output, pixel_format  # noqa: F401 (re-export)
from drivers.hdmi_slots import shareable_file, shared_frame, slot_frame  # noqa: F401 (re-export)

# The colours the window fills the region with; the hdmi family's test patterns.
TEST_PATTERNS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
                 "white": (255, 255, 255), "black": (0, 0, 0)}
PUMP_S = 0.05  # the window process drains SDL events at least this often...
X_PUMP_S = 1.0  # ...or this often when it can also wake on the X connection's traffic
# After these, X has lost (some of) what the window showed: draw it all again. Between
# them nothing is redrawn, so a still picture costs nothing.
REDRAW_EVENTS = (pygame.WINDOWEXPOSED, pygame.WINDOWSIZECHANGED, pygame.WINDOWSHOWN,
                 pygame.WINDOWRESTORED)


@dataclasses.dataclass(frozen=True)
class HdmiConfig:
    display: int  # SDL display index
    region: tuple[int, int, int, int]  # the sending card's capture region: x, y, w, h
    mode: tuple[int, int] | None  # output mode; None: the display's desktop size
    present: str = "auto"  # auto (probe), surface or gpu: see drivers.hdmi_output

    def check_fits(self, mode: tuple[int, int]) -> None:
        x, y, w, h = self.region
        if x + w > mode[0] or y + h > mode[1]:
            raise DriverConfigError(
                f"region={x},{y},{w},{h} does not fit the {mode[0]}x{mode[1]} output of display "
                f"{self.display}; move the region or set mode=WxH")


class Channel:
    """JSON lines over a socket, with a deadline on each reply."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def send(self, message: dict) -> None:
        self.sock.sendall(json.dumps(message).encode() + b"\n")

    def receive(self, timeout: float, also: list[int] = ()) -> dict | None:
        """The next message, or None if none came in time (or a descriptor in `also`
        became readable first). EOF raises ConnectionError."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = max(0.0, deadline - time.monotonic())
            readable = select.select([self.sock, *also], [], [], left)[0]
            if self.sock not in readable:
                return None
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("window process closed its end")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def close(self) -> None:
        self.sock.close()


class Window:
    """The full-screen window: black everywhere but the region, which shows the frame."""

    def __init__(self, config: HdmiConfig, buffer: mmap.mmap):
        self.config = config
        self.region = pygame.Rect(config.region)
        size, length = self.region.size, self.region.width * self.region.height * 4
        self.slots = [slot_frame(buffer, size, k) for k in range(len(buffer) // length)]
        self.slot = 0  # the slot shown, and drawn again on every redraw
        self.brightness = 100.0
        self.power = True
        self.pattern: str | None = None
        self.has_frame = False
        self.output = None

    def open(self) -> dict:
        pygame.display.init()
        count = pygame.display.get_num_displays()
        if self.config.display >= count:  # an output unplugged may come back: retried
            raise pygame.error(f"{pygame.display.get_driver()} has {count} display(s)")
        desktop = tuple(pygame.display.get_desktop_sizes()[self.config.display])
        mode = self.config.mode or desktop
        self.config.check_fits(mode)
        self.output, renderer = choose_output(self.config.present, self.region,
                                              self.config.display)
        opened = self.output.open(mode, desktop)
        pygame.mouse.set_visible(False)
        pygame.display.set_caption("signage hdmi")
        self.redraw_all()
        return {"driver": pygame.display.get_driver(), "mode": opened["size"],
                "desktop": list(desktop), "vsync": opened["vsync"],
                "pixel_format": opened["pixel_format"], "present": self.output.name,
                "renderer": renderer}

    @property
    def frame(self) -> pygame.Surface:
        return self.slots[self.slot]

    def apply(self, command: dict) -> None:
        if command["op"] == "state":
            self.brightness = command["brightness"]
            self.power = command["power"]
            self.pattern = command["pattern"]
            self.has_frame = command["has_frame"]
            self.slot = command.get("slot", 0)  # a window started anew learns it here
            self.redraw_all()
        elif command["rects"]:
            self.has_frame = True
            self.output.show(self._follow(command), self.look(), self.frame)

    def _follow(self, command: dict) -> list[pygame.Rect]:
        """Move to the frame's slot; the rectangles to draw: all of the region when the
        slot changes, as what changed since the last frame says nothing of another slot."""
        slot = command.get("slot", 0)
        if slot != self.slot:
            self.slot = slot
            return [pygame.Rect((0, 0), self.region.size)]
        return [pygame.Rect(r) for r in command["rects"]]

    def redraw_all(self) -> None:
        """The whole window again: at open, on a state change, an expose or a resize."""
        self.output.redraw_all(self.look(), self.frame)

    def look(self) -> Look:
        level = round(255 * self.brightness / 100)
        if not self.power or not (self.pattern or self.has_frame):
            return Look(BLACK)
        return Look(TEST_PATTERNS[self.pattern] if self.pattern else None, level)


def x_connection_fd() -> int | None:
    """The X connection's socket under pygame's window (None elsewhere: KMS, a renderer
    window, no libX11)."""
    try:
        display = pygame.display.get_wm_info()["display"]
        get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
        get_pointer.restype = ctypes.c_void_p
        get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        xlib = ctypes.CDLL("libX11.so.6")
        xlib.XConnectionNumber.argtypes = [ctypes.c_void_p]
        return xlib.XConnectionNumber(get_pointer(display, b"display"))
    except (KeyError, OSError, ValueError, TypeError, pygame.error):
        return None


def serve(config: HdmiConfig, sock: socket.socket, buffer) -> int:
    """The window process's loop: commands in, one reply per command out."""
    channel = Channel(sock)
    window = Window(config, buffer)
    try:
        channel.send({"ready": window.open()})
    except DriverConfigError as exc:
        channel.send({"error": str(exc), "config": True})
        return 2
    except pygame.error as exc:
        channel.send({"error": f"cannot open display {config.display}: {exc}"})
        return 1
    x_fd = x_connection_fd()
    # Asleep until the driver or X says something: a still picture costs no wake-ups. X
    # events already read into Xlib's queue wake nobody, hence the X_PUMP_S bound.
    wake = ([x_fd], X_PUMP_S) if x_fd is not None else ([], PUMP_S)
    while True:
        try:
            if any(event.type in REDRAW_EVENTS for event in pygame.event.get()):
                window.redraw_all()
        except pygame.error as exc:
            channel.send({"error": f"display {config.display}: {exc}"})
            return 1
        try:
            command = channel.receive(wake[1], also=wake[0])
        except ConnectionError:
            return 0  # the driver went away
        if command is None:
            continue
        if command["op"] == "quit":
            return 0
        try:
            window.apply(command)
        except pygame.error as exc:  # e.g. the KMS device is gone
            channel.send({"error": f"display {config.display}: {exc}"})
            return 1
        channel.send({"ok": True})


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the player; it closes us
    raw = json.loads(argv[0])
    config = HdmiConfig(raw["display"], tuple(raw["region"]),
                        tuple(raw["mode"]) if raw["mode"] else None, raw["present"])
    sock = socket.socket(fileno=int(argv[1]))
    buffer = mmap.mmap(int(argv[2]), 0)  # all the slots: the driver sized the file
    return serve(config, sock, buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
