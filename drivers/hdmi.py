"""HDMI video path: the panel picture at the sending card's capture region of a full-screen
pygame window, e.g. `hdmi://0?region=0,0,768,384&mode=1920x1080`.

The window lives in a child process (`python -m drivers.hdmi`) that shares one frame
buffer with the driver. Why: when the X server goes away, Xlib ends the whole process
(its I/O error exit handler calls exit(), on SDL's second connection too) and SDL's
window teardown then spins on the dead connection. A child that dies alone keeps the
player running; the driver notices, reports the link down and starts a new child with
backoff (0.5 s doubling to 30 s) until the display is back.

Frames cross in shared memory as XRGB8888 (bytes B, G, R, x: pygame's default 32-bit
surface), the format of the window surface, so blits stay plain copies.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import mmap
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pygame

from drivers.base import DriverConfigError, DriverURL, PanelTelemetry, parse_size

log = logging.getLogger(__name__)

TEST_PATTERNS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
                 "white": (255, 255, 255), "black": (0, 0, 0)}
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0
OPEN_WAIT_S = 15.0  # open() waits this long (real time) for the first window
REPLY_WAIT_S = 2.0  # a window that takes longer to show a frame counts as hung
START_WAIT_S = 20.0  # a window process not ready after this (injected clock) is given up
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


def parse_region(text: str) -> tuple[int, int, int, int]:
    """'0,0,768,384' -> (0, 0, 768, 384)."""
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise DriverConfigError(
            f"region {text!r} is not x,y,width,height, e.g. region=0,0,768,384") from None
    if x < 0 or y < 0 or not (1 <= w <= 16384 and 1 <= h <= 16384):
        raise DriverConfigError(f"region {text!r}: x, y must be >= 0 and each side 1..16384")
    return x, y, w, h


def from_url(url: DriverURL) -> "HdmiDriver":
    """Build the driver for hdmi://DISPLAY?region=x,y,w,h&mode=WxH."""
    target = url.target.strip("/") or "0"
    if not target.isdigit():
        raise DriverConfigError(f"hdmi display {target!r} is not a display number, e.g. hdmi://0")
    if "region" not in url.query:
        raise DriverConfigError("hdmi URL needs region=x,y,w,h (the sending card's capture "
                                "region), e.g. hdmi://0?region=0,0,768,384")
    mode = parse_size(url.query["mode"], "mode") if url.query.get("mode") else None
    config = HdmiConfig(int(target), parse_region(url.query["region"]), mode)
    if mode is not None:
        config.check_fits(mode)
    return HdmiDriver(config)


class Backoff:
    """When to try again: FIRST_RETRY_S after a loss, doubling per failure up to MAX_RETRY_S."""

    def __init__(self):
        self.delay = FIRST_RETRY_S
        self.due = 0.0

    def failed(self, now: float) -> None:
        self.due = now + self.delay
        self.delay = min(self.delay * 2, MAX_RETRY_S)

    def reset(self) -> None:
        self.delay = FIRST_RETRY_S


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


class HdmiDriver:
    def __init__(self, config: HdmiConfig, clock=time, env: dict[str, str] | None = None):
        """`env` is added to the window process's environment (e.g. DISPLAY, SDL_VIDEODRIVER)."""
        self.config = config
        self.size = config.region[2:]
        self.clock = clock
        self.env = dict(env or {})
        self.brightness = 100.0
        self.power = True
        self.test_pattern: str | None = None
        self.frames = 0
        self.link = "down"
        self.window: dict = {}  # what the window process reported: mode, vsync, driver
        self.reopen_attempts = 0
        self.last_error: str | None = None
        self.backoff = Backoff()
        self._buffer: mmap.mmap | None = None
        self._frame: pygame.Surface | None = None
        self._has_frame = False
        self._process: subprocess.Popen | None = None
        self._channel: Channel | None = None
        self._stderr = None
        self._started_at = 0.0
        self._lost_logged = False

    # --- the contract -------------------------------------------------------------

    def open(self) -> None:
        """Show the window; a display that is not there yet is retried from present()."""
        if self._process is not None:
            return
        if self._buffer is None:
            self._make_buffer()
        self._spawn()
        try:
            message = self._channel.receive(OPEN_WAIT_S)
        except (ConnectionError, OSError) as exc:
            return self._lost(self._death_note(exc))
        if message is None:
            return self._lost(f"window process not ready after {OPEN_WAIT_S:g} s")
        if message.get("config"):  # a region that does not fit will not fit next time either
            self._stop_window()
            raise DriverConfigError(message["error"])
        self._on_ready(message)

    def present(self, frame: pygame.Surface, dirty: list[pygame.Rect] | None = None) -> None:
        """Show `frame`; with `dirty`, only those rectangles changed since the last frame."""
        if frame.get_size() != self.size:
            raise DriverConfigError(f"frame is {frame.get_width()}x{frame.get_height()}, "
                                    f"panel is {self.size[0]}x{self.size[1]}")
        if self._frame is None:
            self._make_buffer()
        rects = [pygame.Rect(0, 0, *self.size)] if dirty is None else \
            [r for r in (pygame.Rect(d).clip(0, 0, *self.size) for d in dirty) if r]
        for rect in rects:  # our copy (the shared buffer): the caller may reuse its buffer
            if frame.get_flags() & pygame.SRCALPHA:
                self._frame.fill((0, 0, 0), rect)  # a translucent frame is seen over black
            self._frame.blit(frame, rect, rect)
        self._has_frame = True
        if self.link != "up":
            self._reconnect()  # a window that comes up draws the whole buffer first
        boxes = [tuple(r) for r in rects]
        if self.link == "up" and self._request({"op": "frame", "rects": boxes}):
            self.frames += 1

    def set_brightness(self, percent: float) -> None:
        """Software dimming of what is shown: an HDMI link carries no brightness."""
        if not 0 <= percent <= 100:
            raise DriverConfigError(f"brightness {percent} is outside 0..100 percent")
        self.brightness = float(percent)
        self._send_state()

    def set_power(self, on: bool) -> None:
        self.power = bool(on)
        self._send_state()

    def show_test_pattern(self, pattern: str | None) -> None:
        if pattern is not None and pattern not in TEST_PATTERNS:
            raise DriverConfigError(
                f"test pattern {pattern!r} unknown; choose one of {', '.join(TEST_PATTERNS)}")
        self.test_pattern = pattern
        self._send_state()

    def telemetry(self) -> PanelTelemetry:
        x, y, w, h = self.config.region
        extra = {
            "kind": "hdmi",
            "display": self.config.display,
            "region": [x, y, w, h],
            "mode": self.window.get("mode") or self.config.mode and list(self.config.mode),
            "vsync": self.window.get("vsync"),
            "video_driver": self.window.get("driver"),
            "pixel_format": self.window.get("pixel_format"),
            "reopen_attempts": self.reopen_attempts,
            "last_error": self.last_error,
            # Seconds until the next reopen attempt; None while up or while one is starting.
            "retry_in_s": None if self.link == "up" or self._process is not None
            else round(max(0.0, self.backoff.due - self.clock.monotonic()), 3),
        }
        return PanelTelemetry(link=self.link, brightness=self.brightness, power=self.power,
                              test_pattern=self.test_pattern, frames=self.frames,
                              read_at=time.monotonic(), extra=extra)

    def close(self) -> None:
        self._stop_window()
        self.link = "down"
        if self._buffer is not None:
            self._frame = None
            self._buffer.close()
            self._buffer = None
            os.close(self._buffer_fd)

    # --- the window process -------------------------------------------------------

    def _make_buffer(self) -> None:
        w, h = self.size
        self._buffer_fd = shareable_file(w * h * 4)
        self._buffer = mmap.mmap(self._buffer_fd, w * h * 4)
        self._frame = shared_frame(self._buffer, self.size)
        self._frame.fill((0, 0, 0))

    def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        config = {"display": self.config.display, "region": list(self.config.region),
                  "mode": list(self.config.mode) if self.config.mode else None}
        self._stderr = tempfile.TemporaryFile()  # a file: a chatty child cannot block on it
        args = [sys.executable, "-m", "drivers.hdmi", json.dumps(config), str(theirs.fileno()),
                str(self._buffer_fd)]
        self._process = subprocess.Popen(args, env=self._child_env(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=self._stderr,
                                         pass_fds=(theirs.fileno(), self._buffer_fd))
        theirs.close()
        self._channel = Channel(ours)
        self._started_at = self.clock.monotonic()

    def _child_env(self) -> dict[str, str]:
        package_root = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        return {**os.environ, **self.env, "PYGAME_HIDE_SUPPORT_PROMPT": "1", "PYTHONPATH": path}

    def _on_ready(self, message: dict) -> None:
        """The window's first report: up (showing our state and last frame), or a failure."""
        if "error" in message:
            return self._lost(message["error"])
        self.window = message["ready"]
        if self._lost_logged:
            log.info("HDMI display %d is back (%s, %s) after %d reopen attempts",
                     self.config.display, self.window["driver"], self.window["mode"],
                     self.reopen_attempts)
        else:
            log.info("HDMI display %d open: %s mode %s, vsync %s, region %s",
                     self.config.display, self.window["driver"], self.window["mode"],
                     self.window["vsync"], self.config.region)
        self.link = "up"
        self._lost_logged = False
        self.backoff.reset()
        self._send_state()  # also redraws the last frame, which the shared buffer still holds

    def _reconnect(self) -> None:
        """While the link is down: start a window when the backoff allows, or poll it."""
        now = self.clock.monotonic()
        if self._process is None:
            if now >= self.backoff.due:
                self.reopen_attempts += 1
                self._spawn()
            return
        if now - self._started_at > START_WAIT_S:
            return self._lost(f"window process not ready after {START_WAIT_S:g} s")
        try:
            message = self._channel.receive(0)
        except (ConnectionError, OSError) as exc:
            return self._lost(self._death_note(exc))
        if message is not None:
            self._on_ready(message)

    def _request(self, message: dict) -> bool:
        """Send a command and wait for the window to show it; False (and down) if it did not."""
        try:
            self._channel.send(message)
            reply = self._channel.receive(REPLY_WAIT_S)
        except (ConnectionError, OSError) as exc:
            self._lost(self._death_note(exc))
            return False
        if reply is None:
            self._lost(f"window did not answer within {REPLY_WAIT_S:g} s (display hung?)")
            return False
        if "error" in reply:
            self._lost(reply["error"])
            return False
        return True

    def _send_state(self) -> None:
        if self.link == "up":
            self._request({"op": "state", "brightness": self.brightness, "power": self.power,
                           "pattern": self.test_pattern, "has_frame": self._has_frame})

    def _lost(self, reason: str) -> None:
        """The display went away (or never came): report once, retry with backoff."""
        self._stop_window()
        self.link = "down"
        self.last_error = reason
        self.backoff.failed(self.clock.monotonic())
        if not self._lost_logged:
            log.warning("HDMI display %d is down: %s; retrying every %g..%g s",
                        self.config.display, reason, FIRST_RETRY_S, MAX_RETRY_S)
        self._lost_logged = True

    def _death_note(self, exc: Exception) -> str:
        """Why the window process ended, from the end of its stderr (e.g. Xlib's words)."""
        if self._process is not None:
            try:
                self._process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        said = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            said = " ".join(self._stderr.read().decode(errors="replace").split())
        # Xlib's last words span two lines ("XIO: fatal IO error ... after N requests").
        return said[-300:] if said else f"window process ended ({exc})"

    def _stop_window(self) -> None:
        if self._channel is not None:
            try:
                self._channel.send({"op": "quit"})
            except OSError:
                pass
            self._channel.close()
            self._channel = None
        if self._process is not None:
            try:
                self._process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


# --- the window process (runs as `python -m drivers.hdmi CONFIG SOCKET_FD BUFFER_FD`) ----


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
