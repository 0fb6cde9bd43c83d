"""What the TPM2 and Adalight drivers share: a serial port fed whole frames by one thread.

`present()` never blocks the frame loop: it stores the newest picture and a writer thread
sends whatever is newest when the link has room (latest frame wins, older ones are counted
as skipped). Sending is paced to what the link carries (8N1: 10 bits per byte). The writer
also drains what the sign sends back, resends the picture now and then so a sign that
blanks on silence stays lit, and reopens a vanished port with backoff while the player
keeps running. Time comes from an injected clock (`monotonic()`, `sleep()`).
"""

from __future__ import annotations

import logging
import threading
import time

import pygame
import serial

from drivers.base import DriverConfigError, DriverUnavailable, PanelTelemetry
from drivers.pixelmap import IDENTITY_LEVELS, OPTIONS as MAP_OPTIONS, PixelMap, level_table
from drivers.pattern_pictures import pattern_rgb
from drivers.registry import SERIAL_PATTERNS
from drivers.urls import DriverURL, Options

log = logging.getLogger(__name__)

BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit
IDLE_POLL = 0.05  # the writer looks for replies and due resends at least this often (s)
OPTIONS = ("port", "baud", "size", "fps", "brightness", "gamma", "keepalive") + MAP_OPTIONS


def max_fps(baud: int, bytes_per_frame: int) -> float:
    """Frames per second a link carries. 1 Mbaud, 64x32 TPM2 (6149 bytes): about 16.26."""
    return baud / BITS_PER_BYTE / bytes_per_frame


class FramePacer:
    """Send slots on a grid (`interval` apart); a late send does not shift the grid, and
    after a pause the grid starts again at the next send, so missed slots are not made up."""

    def __init__(self, interval: float):
        self.interval = interval
        self._due: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until the next frame may go out (0 when it may go now)."""
        return 0.0 if self._due is None else max(0.0, self._due - now)

    def sent(self, now: float) -> None:
        if self._due is None or now >= self._due + self.interval:
            self._due = now + self.interval
        else:
            self._due += self.interval


class Backoff:
    """Delays between reconnect attempts: `first`, doubling, at most `limit` seconds."""

    def __init__(self, first: float = 0.5, limit: float = 30.0):
        self.first, self.limit = first, limit
        self._next = first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.limit)
        return delay

    def reset(self) -> None:
        self._next = self.first


def parse_options(url: DriverURL, default_baud: int) -> dict:
    """Driver keyword arguments from a URL such as tpm2:///dev/ttyACM0?baud=1000000&size=64x32."""
    options, scheme = Options(url, OPTIONS), url.scheme
    example = f"{scheme}:///dev/ttyACM0?size=64x32"
    port = options.text("port") or url.target
    if not port:
        raise DriverConfigError(f"{scheme} URL names no serial port; write e.g. {example}")
    size = options.size()
    if size is None:
        raise DriverConfigError(f"{scheme} URL needs size=WIDTHxHEIGHT, e.g. {example}")
    return {
        "port": port,
        "size": size,
        "baud": options.number("baud", default_baud, 300, 20_000_000, int),
        "fps": options.number("fps", None, 0.1, 1000),
        "brightness": options.number("brightness", 100.0, 0, 100),
        "gamma": options.number("gamma", 1.0, 0.1, 5),
        "keepalive": options.number("keepalive", 1.0, 0, 3600),
        "pixelmap": PixelMap.from_options(size, url.query),
    }


class SerialFrameDriver:
    """A sign that takes whole frames over serial. Subclasses give `kind`, `overhead`
    (header and trailer bytes per frame), `max_pixels` and `encode(rgb)`."""

    kind = "serial"
    overhead = 0
    max_pixels = 65536

    def __init__(self, port: str, size: tuple[int, int], *, baud: int = 115200,
                 fps: float | None = None, brightness: float = 100.0, gamma: float = 1.0,
                 keepalive: float = 1.0, pixelmap: PixelMap | None = None, clock=time,
                 backoff: Backoff | None = None):
        w, h = size
        if w * h > self.max_pixels:
            raise DriverConfigError(f"size={w}x{h} is {w * h} pixels; a {self.kind} frame "
                                    f"holds at most {self.max_pixels}")
        self.port, self.size, self.baud = port, size, baud
        self.pixelmap = pixelmap or PixelMap(size)
        if self.pixelmap.size != size:
            raise DriverConfigError(f"pixel map is for {self.pixelmap.size}, panel is {size}")
        self.clock, self.keepalive, self.gamma = clock, keepalive, gamma
        self.bytes_per_frame = w * h * 3 + self.overhead
        self.max_fps = max_fps(baud, self.bytes_per_frame)
        self.fps = fps
        self.send_fps = self._send_rate(fps)
        self._pacer = FramePacer(1 / self.send_fps)
        self._backoff = backoff or Backoff()
        self._write_timeout = max(1.0, 4 / self.max_fps)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._serial = None  # the open port; only the writer thread touches it once running
        self._picture = bytes(w * h * 3)
        self._fresh = False  # a presented picture not yet sent
        self._dirty = True  # something changed that the sign has not been sent
        self.brightness = float(brightness)
        self._levels = level_table(brightness, gamma)
        self.power = True
        self.test_pattern: str | None = None
        self._link, self._error = "down", None
        self._sent_at: float | None = None
        self.frames_sent = self.frames_skipped = self.bytes_received = self.reconnects = 0

    def _send_rate(self, fps: float | None) -> float:
        if fps is None or fps <= self.max_fps:
            return fps or self.max_fps
        log.warning("%s on %s: fps=%g is more than the link carries (%.1f fps at %d baud for "
                    "%dx%d); sending at %.1f fps. Raise baud= or lower fps= to silence this.",
                    self.kind, self.port, fps, self.max_fps, self.baud, *self.size, self.max_fps)
        return self.max_fps

    def encode(self, rgb: bytes) -> bytes:
        raise NotImplementedError

    def received(self, data: bytes) -> None:
        """Bytes the sign sent back (acks, announcements); subclasses may count them."""

    # --- the Driver contract, called from the player's thread -------------------------

    def open(self) -> None:
        """Try the port once, then keep the link in a writer thread; a missing sign is not
        an error here: it is reported in telemetry and retried with backoff."""
        if self._thread is not None:
            return
        self._stop.clear()
        if not self._try_open():
            log.warning("%s on %s is not there yet (%s); retrying in the background",
                        self.kind, self.port, self._error)
        self._thread = threading.Thread(target=self._run, name=f"{self.kind}-writer",
                                        daemon=True)
        self._thread.start()

    def present(self, frame: pygame.Surface, dirty=None) -> None:
        """Keep a copy for the writer and return at once; while the link is down the copy
        is still kept (sent on reconnect) and DriverUnavailable tells the player."""
        if frame.get_size() != self.size:
            raise DriverConfigError(
                f"frame is {frame.get_width()}x{frame.get_height()}, {self.kind} sign is "
                f"{self.size[0]}x{self.size[1]} (size= in the driver URL)"
            )
        rgb = pygame.image.tobytes(frame, "RGB")
        with self._cond:
            if self._fresh:
                self.frames_skipped += 1
            self._picture, self._fresh, self._dirty = rgb, True, True
            self._cond.notify()
        if self._thread is not None and self._link == "down":
            raise DriverUnavailable(f"{self.kind} sign on {self.port} is not connected "
                                    f"({self._error}); retrying with backoff")

    def set_brightness(self, percent: float) -> None:
        levels = level_table(percent, self.gamma)  # validates the range
        self._change(brightness=float(percent), _levels=levels)

    def set_power(self, on: bool) -> None:
        self._change(power=bool(on))

    def show_test_pattern(self, pattern: str | None) -> None:
        if pattern is not None and pattern not in SERIAL_PATTERNS:
            raise DriverConfigError(
                f"test pattern {pattern!r} unknown; choose one of {', '.join(SERIAL_PATTERNS)}"
            )
        self._change(test_pattern=pattern)

    def telemetry(self) -> PanelTelemetry:
        with self._cond:
            return PanelTelemetry(
                link=self._link, brightness=self.brightness, power=self.power,
                test_pattern=self.test_pattern, frames=self.frames_sent, read_at=self._sent_at,
                extra={
                    "kind": self.kind, "port": self.port, "baud": self.baud,
                    "size": list(self.size), "bytes_per_frame": self.bytes_per_frame,
                    "max_fps": round(self.max_fps, 2), "fps": self.fps,
                    "send_fps": round(self.send_fps, 2), "frames_skipped": self.frames_skipped,
                    "bytes_received": self.bytes_received, "reconnects": self.reconnects,
                    "error": self._error, "gamma": self.gamma, **self.pixelmap.describe(),
                    **self.extra_telemetry(),
                },
            )

    def extra_telemetry(self) -> dict:
        return {}

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=self._write_timeout + 2)
            self._thread = None
        self._close_port()
        self._link = "down"

    def _change(self, **state) -> None:
        with self._cond:
            for name, value in state.items():
                setattr(self, name, value)
            self._dirty = True
            self._cond.notify()

    # --- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._serial is None:
                self._pause(self._backoff.next())
                if self._stop.is_set() or not self._try_open():
                    continue
            try:
                self._cycle()
            except (serial.SerialException, OSError) as exc:
                self._lost(exc)

    def _cycle(self) -> None:
        """Drain replies, then send a frame if one is due and the pacer allows it."""
        self._drain()
        now = self.clock.monotonic()
        with self._cond:
            if not self._work_due(now):
                self._cond.wait(IDLE_POLL)  # present() and the controls wake it early
                return
        wait = self._pacer.wait(now)
        if wait > 0:
            self._pause(min(wait, IDLE_POLL))
            return
        self._serial.write(self._next_payload())
        now = self.clock.monotonic()
        self._pacer.sent(now)
        self._backoff.reset()  # only a frame that went out proves the link works
        with self._cond:
            self.frames_sent += 1
            self._sent_at = now

    def _work_due(self, now: float) -> bool:
        if self._dirty:
            return True
        # Resend the current picture now and then: Adalight receivers blank after about
        # 15 s of silence and WLED drops out of its live mode after a few seconds.
        return bool(self.keepalive) and (self._sent_at is None
                                         or now - self._sent_at >= self.keepalive)

    def _next_payload(self) -> bytes:
        with self._cond:
            picture, power, pattern, levels = (self._picture, self.power, self.test_pattern,
                                               self._levels)
            self._dirty = self._fresh = False
        if not power:
            return self.encode(bytes(len(picture)))
        if pattern is not None:
            picture = pattern_rgb(pattern, self.size)
        rgb = self.pixelmap.to_wire(picture)
        if levels != IDENTITY_LEVELS:
            rgb = rgb.translate(levels)
        return self.encode(rgb)

    def _drain(self) -> None:
        while True:
            data = self._serial.read(4096)  # timeout=0: only what has already arrived
            if not data:
                return
            with self._cond:
                self.bytes_received += len(data)
            self.received(data)

    def _pause(self, seconds: float) -> None:
        """Sleep on the injected clock in short steps, so close() is never kept waiting."""
        deadline = self.clock.monotonic() + seconds
        while not self._stop.is_set():
            left = deadline - self.clock.monotonic()
            if left <= 0:
                return
            self.clock.sleep(min(left, IDLE_POLL))

    def _try_open(self) -> bool:
        try:
            port = serial.serial_for_url(self.port, baudrate=self.baud, timeout=0,
                                         write_timeout=self._write_timeout)
        except (serial.SerialException, OSError, ValueError) as exc:
            self._error = f"cannot open {self.port}: {exc}"
            log.debug("%s: %s", self.kind, self._error)
            return False
        with self._cond:
            if self._sent_at is not None:
                self.reconnects += 1
            self._serial, self._link, self._error = port, "up", None
            self._dirty = True  # the sign may have been power-cycled: send the picture again
        log.info("%s sign on %s: link up at %d baud, up to %.1f fps", self.kind, self.port,
                 self.baud, self.send_fps)
        return True

    def _lost(self, exc: Exception) -> None:
        self._close_port()
        with self._cond:
            self._link, self._error = "down", f"link lost: {exc}"
            self._dirty = True
        log.warning("%s sign on %s: link down (%s); reopening with backoff", self.kind,
                    self.port, exc)

    def _close_port(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass
