"""The HDMI window process: `python -m drivers.hdmi_window CONFIG SOCKET_FD BUFFER_FD`.

A borderless full-screen pygame window, black everywhere but the sending card's capture
region, which shows the frame the driver (drivers.hdmi) left in a shared buffer. It runs
apart from the player because Xlib ends the whole process when the X server goes away;
see drivers/hdmi.py. Driver and window talk in JSON lines over a socket pair (`Channel`):
the driver sends `state`, `frame` (rectangles to redraw) and `quit`; the window answers
each one once it is on screen.

Frames cross in shared memory as XRGB8888 (bytes B, G, R, x: pygame's default 32-bit
surface), the format of the window surface, so blits stay plain copies.
"""

from __future__ import annotations

import dataclasses
import json
import mmap
import os
import select
import signal
import socket
import sys
import tempfile
import time

import pygame

from drivers.base import DriverConfigError

# The colours the window fills the region with; the hdmi family's test patterns.
TEST_PATTERNS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
                 "white": (255, 255, 255), "black": (0, 0, 0)}
PUMP_S = 0.05  # the window process drains SDL events at least this often
SDL_RENDERER_PRESENTVSYNC = 0x4


@dataclasses.dataclass(frozen=True)
class HdmiConfig:
    display: int  # SDL display index
    region: tuple[int, int, int, int]  # the sending card's capture region: x, y, w, h
    mode: tuple[int, int] | None  # output mode; None: the display's desktop size

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

    def receive(self, timeout: float) -> dict | None:
        """The next message, or None if none came in time. EOF raises ConnectionError."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self.sock], [], [], left)[0]:
                return None
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("window process closed its end")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def close(self) -> None:
        self.sock.close()


def shared_frame(buffer, size: tuple[int, int]) -> pygame.Surface:
    """A surface over the shared buffer: XRGB8888, alpha ignored, so blits are copies."""
    surface = pygame.image.frombuffer(buffer, size, "BGRA")
    surface.set_alpha(None)
    return surface


class Window:
    """The full-screen window: black everywhere but the region, which shows the frame."""

    def __init__(self, config: HdmiConfig, buffer):
        self.config = config
        self.region = pygame.Rect(config.region)
        self.frame = shared_frame(buffer, self.region.size)
        self.brightness = 100.0
        self.power = True
        self.pattern: str | None = None
        self.has_frame = False
        self.screen: pygame.Surface | None = None

    def open(self) -> dict:
        pygame.display.init()
        count = pygame.display.get_num_displays()
        if self.config.display >= count:  # an output unplugged may come back: retried
            raise pygame.error(f"{pygame.display.get_driver()} has {count} display(s)")
        desktop = tuple(pygame.display.get_desktop_sizes()[self.config.display])
        mode = self.config.mode or desktop
        self.config.check_fits(mode)
        self.screen, vsync = self._set_mode(mode, desktop)
        pygame.mouse.set_visible(False)
        pygame.display.set_caption("signage hdmi")
        self.screen.fill((0, 0, 0))
        pygame.display.flip()
        return {"driver": pygame.display.get_driver(), "mode": list(self.screen.get_size()),
                "desktop": list(desktop), "vsync": vsync, "pixel_format": pixel_format(self.screen)}

    def _set_mode(self, mode: tuple[int, int], desktop: tuple[int, int]):
        """Borderless full screen; vsync through SDL's renderer where it can be had.

        At the desktop size FULLSCREEN|SCALED gives a desktop-sized borderless window drawn
        1:1 through a renderer with vsync (no mode switch, so X11 compositors and KMS keep
        their timing). Another mode needs a real mode switch (plain FULLSCREEN: XRandR on
        X11, a mode set on KMS); SCALED would scale the picture, which the card would
        capture wrongly, and SDL's window surface has no vsync.
        """
        flags = pygame.FULLSCREEN | pygame.NOFRAME
        display = self.config.display
        if mode == desktop:
            try:
                screen = pygame.display.set_mode(mode, flags | pygame.SCALED, display=display,
                                                 vsync=1)
                if screen.get_size() == mode:
                    return screen, renderer_vsync()
            except pygame.error as exc:
                print(f"hdmi: no vsync ({exc}); using the window surface", file=sys.stderr)
        screen = pygame.display.set_mode(mode, flags, display=display)
        if screen.get_size() != mode:
            raise pygame.error(f"asked for mode {mode[0]}x{mode[1]}, got {screen.get_size()}")
        return screen, False

    def apply(self, command: dict) -> None:
        if command["op"] == "state":
            self.brightness = command["brightness"]
            self.power = command["power"]
            self.pattern = command["pattern"]
            self.has_frame = command["has_frame"]
            self.draw([(0, 0, *self.region.size)])
        else:
            self.has_frame = True
            self.draw(command["rects"])

    def draw(self, rects: list) -> None:
        """Redraw these rectangles of the region (in panel coordinates) and flip."""
        for rect in map(pygame.Rect, rects):
            on_screen = rect.move(self.region.topleft)
            if not self.power or not (self.pattern or self.has_frame):
                self.screen.fill((0, 0, 0), on_screen)
            elif self.pattern:
                self.screen.fill(TEST_PATTERNS[self.pattern], on_screen)
            else:
                self.screen.blit(self.frame, on_screen, rect)
            if self.brightness < 100:
                level = round(255 * self.brightness / 100)
                self.screen.fill((level,) * 3, on_screen, special_flags=pygame.BLEND_MULT)
        pygame.display.flip()


def shareable_file(size: int) -> int:
    """A descriptor of `size` zero bytes that the window process can map as well."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("signage-hdmi-frame")
    else:
        with tempfile.TemporaryFile() as file:
            fd = os.dup(file.fileno())
    os.ftruncate(fd, size)
    return fd


def renderer_vsync() -> bool | None:
    """Whether SDL's renderer behind a SCALED window presents on vsync (None: unknown)."""
    info = getattr(pygame.display, "_get_renderer_info", lambda: None)()
    return None if info is None else bool(info[1] & SDL_RENDERER_PRESENTVSYNC)


def pixel_format(surface: pygame.Surface) -> str:
    """The surface's layout as a name like 'XRGB8888' (channels from the top bit down)."""
    if surface.get_bitsize() != 32:
        return f"{surface.get_bitsize()}bpp masks {surface.get_masks()}"
    masks = dict(zip("RGBA", surface.get_masks()))
    if not masks["A"]:
        del masks["A"]
        masks["X"] = 0xFFFFFFFF & ~(masks["R"] | masks["G"] | masks["B"])
    return "".join(sorted(masks, key=masks.get, reverse=True)) + "8888"


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
    while True:
        pygame.event.get()  # keep the window responsive; nothing here takes input
        try:
            command = channel.receive(PUMP_S)
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
                        tuple(raw["mode"]) if raw["mode"] else None)
    sock = socket.socket(fileno=int(argv[1]))
    w, h = config.region[2:]
    buffer = mmap.mmap(int(argv[2]), w * h * 4)
    return serve(config, sock, buffer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
