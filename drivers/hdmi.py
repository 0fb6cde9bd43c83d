"""HDMI video path: the panel picture at the sending card's capture region of a full-screen
pygame window, e.g. `hdmi://0?region=0,0,768,384&mode=1920x1080&present=auto`.

Only what changed is sent: the dirty rectangles the compositor names, and nothing at all
when nothing changed. `present=auto` (the default) lets the window probe for a GPU and
use it (a streaming texture, vsync) or else update the plain window surface (XShm on X11);
`present=surface` or `present=gpu` skips the probe (drivers/hdmi_output.py).

The window lives in a child process (`python -m drivers.hdmi_window`) that shares frame
buffers with the driver. Why: when the X server goes away, Xlib ends the whole
process (its I/O error exit handler calls exit(), on SDL's second connection too) and
SDL's window teardown then spins on the dead connection. A child that dies alone keeps
the player running; the driver notices, reports the link down and starts a new child
with backoff (0.5 s doubling to 30 s) until the display is back.

The shared file holds slots of one frame each. Slot 0 is the driver's copy of the plain
frames it is given; slots 1..LENT_BUFFERS are lent (`lend_buffer`, drivers.base's
LendsBuffers): a film decodes into them and `present` names the slot instead of copying,
as a page flip would. The window draws from the slot last named, on every redraw too.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pygame

from drivers.base import DriverConfigError, PanelTelemetry
from drivers.hdmi_output import PRESENT_CHOICES
from drivers.hdmi_slots import FrameSlots
from drivers.hdmi_window import TEST_PATTERNS, Channel, HdmiConfig
from drivers.urls import DriverURL, Options

log = logging.getLogger(__name__)

OPTIONS = ("region", "mode", "present")
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0
OPEN_WAIT_S = 15.0  # open() waits this long (real time) for the first window
REPLY_WAIT_S = 2.0  # a window that takes longer to show a frame counts as hung
START_WAIT_S = 20.0  # a window process not ready after this (injected clock) is given up


def from_url(url: DriverURL) -> "HdmiDriver":
    """Build the driver for hdmi://DISPLAY?region=x,y,w,h&mode=WxH."""
    options = Options(url, OPTIONS)
    target = url.target.strip("/") or "0"
    if not target.isdigit():
        raise DriverConfigError(f"hdmi display {target!r} is not a display number, e.g. hdmi://0")
    region = options.region()
    if region is None:
        raise DriverConfigError("hdmi URL needs region=x,y,w,h (the sending card's capture "
                                "region), e.g. hdmi://0?region=0,0,768,384")
    mode = options.size("mode")
    present = options.text("present", "auto")
    if present not in PRESENT_CHOICES:
        raise DriverConfigError(f"hdmi URL option present={present!r}: choose one of "
                                f"{', '.join(PRESENT_CHOICES)}")
    config = HdmiConfig(int(target), region, mode, present)
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
        self.updates = 0  # frames that changed something, sent to the window
        self.link = "down"
        self.window: dict = {}  # what the window process reported: mode, vsync, driver
        self.reopen_attempts = 0
        self.last_error: str | None = None
        self.backoff = Backoff()
        self._slots: FrameSlots | None = None  # the frame slots shared with the window
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
        if self._slots is None:
            self._slots = FrameSlots(self.size)
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
        """Show `frame`; with `dirty`, only those rectangles changed since the last frame
        (an empty list: nothing changed, and nothing is sent). A buffer we lent is shown
        from its own slot, uncopied; any other frame is copied into slot 0."""
        if frame.get_size() != self.size:
            raise DriverConfigError(f"frame is {frame.get_width()}x{frame.get_height()}, "
                                    f"panel is {self.size[0]}x{self.size[1]}")
        if self._slots is None:
            self._slots = FrameSlots(self.size)
        slot = self._slots.slot_of(frame)
        rects = self._changed(dirty, slot)
        if slot == 0:  # our copy: the caller may reuse its buffer
            self._copy(frame, rects)
        leaving = self._slots.show(slot, frame)
        self._has_frame = True
        self._send(slot, rects)
        # The lent buffer shown before was held until the window answered: until then it
        # may have been drawing that slot (an expose), and a film ring reuses a buffer
        # as soon as nobody holds it.
        del leaving

    def _send(self, slot: int, rects: list[pygame.Rect]) -> None:
        if self.link != "up":
            self._reconnect()  # a window that comes up draws the whole slot first
        if self.link != "up":
            return
        if rects:
            self._request({"op": "frame", "slot": slot, "rects": [tuple(r) for r in rects]})
            self.updates += self.link == "up"
        else:
            self._check_alive()
        self.frames += self.link == "up"

    def _changed(self, dirty: list[pygame.Rect] | None, slot: int) -> list[pygame.Rect]:
        """The rectangles to copy and send: the hint clipped to the panel, or everything
        (no hint, no frame yet for a hint to be relative to, or another slot than the one
        shown: slot 0 holds an older picture after a film, a lent slot another frame)."""
        if dirty is None or not self._has_frame or slot != self._slots.shown_slot:
            return [pygame.Rect(0, 0, *self.size)]
        return [r for r in (pygame.Rect(d).clip(0, 0, *self.size) for d in dirty) if r]

    def _copy(self, frame: pygame.Surface, rects: list[pygame.Rect]) -> None:
        copy = self._slots.copy
        for rect in rects:
            if frame.get_flags() & pygame.SRCALPHA:
                copy.fill((0, 0, 0), rect)  # a translucent frame is seen over black
            copy.blit(frame, rect, rect)

    def lend_buffer(self) -> pygame.Surface | None:
        """A panel-size surface over a free slot of the memory the window shows from
        (present shows it without a copy), or None when all are out or the driver is
        closed. Any thread may call it. Buffers still lent at close() are no longer ours:
        present copies them like any surface (stop films before closing the driver)."""
        return self._slots.lend() if self._slots is not None else None

    def return_buffer(self, buffer: pygame.Surface) -> None:
        """`buffer` is free to lend again (once no longer shown)."""
        if self._slots is not None:
            self._slots.give_back(buffer)

    def _check_alive(self) -> None:
        """Nothing to send this frame; still notice a window that ended (X went away)."""
        try:
            message = self._channel.receive(0)
        except (ConnectionError, OSError) as exc:
            return self._lost(self._death_note(exc))
        if message is not None and "error" in message:  # it failed drawing an expose
            self._lost(message["error"])

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
            "present": self.window.get("present"),  # surface or gpu (drivers.hdmi_output)
            "renderer": self.window.get("renderer"),  # what the GPU probe found
            "updates": self.updates,
            "lent_buffers": self._slots.lent_out() if self._slots is not None else 0,
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
        if self._slots is not None:
            self._slots.close()
            self._slots = None
        self._has_frame = False  # reopened, the slots are new: the first hint counts as None

    # --- the window process -------------------------------------------------------

    def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        config = {"display": self.config.display, "region": list(self.config.region),
                  "mode": list(self.config.mode) if self.config.mode else None,
                  "present": self.config.present}
        self._stderr = tempfile.TemporaryFile()  # a file: a chatty child cannot block on it
        args = [sys.executable, "-m", "drivers.hdmi_window", json.dumps(config),
                str(theirs.fileno()), str(self._slots.fd)]
        self._process = subprocess.Popen(args, env=self._child_env(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=self._stderr,
                                         pass_fds=(theirs.fileno(), self._slots.fd))
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
            log.info("HDMI display %d open: %s mode %s, vsync %s, region %s, present %s (%s)",
                     self.config.display, self.window["driver"], self.window["mode"],
                     self.window["vsync"], self.config.region, self.window["present"],
                     self.window["renderer"])
        self.link = "up"
        self._lost_logged = False
        self.backoff.reset()
        self._send_state()  # also redraws the last frame, which its slot still holds

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
            # The slot, for a window started anew: it shows the picture presented last.
            self._request({"op": "state", "brightness": self.brightness, "power": self.power,
                           "pattern": self.test_pattern, "has_frame": self._has_frame,
                           "slot": self._slots.shown_slot})

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
        # Xlib's last words span two lines ("XIO: fatal IO error ... after N requests"), or
        # say "X connection to :1 broken", depending on where the loss was noticed.
        return (f"the X server went away or the window process ended: {said[-300:]}" if said
                else f"window process ended ({exc})")

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
