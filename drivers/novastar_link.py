"""The NovaStar serial link: one request at a time over RS-232, answers matched by serial
number, retries on a garbled or missing answer, and a vanished port reopened with backoff
(0.5 s doubling to 30 s). The driver (drivers.novastar) builds requests with the codec
and reads state through `SerialLink.transact`.

The port is opened with `serial.serial_for_url`, so `loop://`, `spy://` and ptys work.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import serial

from drivers import novastar_codec as codec
from drivers.base import DriverConfigError, DriverUnavailable

log = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
READ_SLICE = 0.02  # a blocking read returns at least this often, to check the deadline
# Faults of the transmission itself: another try may get through.
TRANSMISSION_ERRORS = (codec.NovaStarTimeout, codec.NovaStarGarbled,
                       codec.RequestChecksumRejected, codec.ResponseChecksumRejected)


class NovaStarLinkDown(codec.NovaStarError, DriverUnavailable):
    """The serial port is gone (unplugged) or cannot be opened; it is reopened with backoff."""


def open_serial(path: str, baud: int, timeout: float):
    # exclusive: a second program on the same port would steal the answers.
    return serial.serial_for_url(path, baudrate=baud, timeout=READ_SLICE,
                                 write_timeout=timeout, exclusive=True)


class SerialLink:
    """One port, one request at a time; answers matched by serial number; reopen w/ backoff."""

    def __init__(self, path: str, baud: int, timeout: float, retries: int, clock=time,
                 open_port: Callable = open_serial):
        self.path, self.baud, self.timeout, self.retries = path, baud, timeout, retries
        self._clock = clock
        self._open_port = open_port
        self._port = None
        self._lock = threading.Lock()
        self._packetizer = codec.Packetizer(codec.RESPONSE_HEAD)
        self._serial = 0
        self._backoff = BACKOFF_FIRST
        self._retry_at: float | None = None
        self.down_reason: str | None = "not opened yet"
        self._closed = False

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def reopen_due(self) -> bool:
        return self._port is None and not self._closed and (self._retry_at is None
                                       or self._clock.monotonic() >= self._retry_at)

    def connect(self) -> bool:
        """Open the port now if it is closed; False (and backoff scheduled) if it cannot be."""
        with self._lock:
            self._retry_at, self._closed = None, False
            try:
                self._ensure_open()
            except NovaStarLinkDown:
                return False
            return True

    def transact(self, build: Callable[[int], codec.Frame]) -> codec.Frame:
        """Send the request `build(serial)` makes; return the answer with ACK 00 or raise."""
        error: codec.NovaStarError | None = None
        for _ in range(self.retries + 1):
            try:
                return self._attempt(build)
            except TRANSMISSION_ERRORS as exc:
                error = exc
        raise _with_tries(error, self.retries + 1)

    def _attempt(self, build: Callable[[int], codec.Frame]) -> codec.Frame:
        with self._lock:
            port = self._ensure_open()
            self._serial = (self._serial + 1) & 0xFF
            request = build(self._serial)
            try:
                response = self._exchange(port, request)
            except OSError as exc:  # SerialException is an OSError too
                self._lost(exc)
                raise NovaStarLinkDown(f"NovaStar port {self.path} failed during "
                                       f"{request.describe()}: {exc}; reopening with "
                                       f"backoff, check the USB/serial cable") from exc
        return codec.check_ack(response, request)

    def _exchange(self, port, request: codec.Frame) -> codec.Frame:
        # Answers to abandoned requests are of no use now. (Read rather than
        # reset_input_buffer: on a vanished port that raises termios.error, not OSError.)
        if port.in_waiting:
            port.read(port.in_waiting)
        self._packetizer.clear()
        port.write(request.encode())
        # The answer deadline is real time (pyserial's Timeout), not the injected clock:
        # it is about the wire, and a test on a fake clock must still time out.
        deadline = serial.Timeout(self.timeout)
        rejected = self._packetizer.rejected
        while not deadline.expired():
            chunk = port.read(max(1, port.in_waiting))
            for frame in self._packetizer.feed(chunk):
                if frame.serial == request.serial and frame.register == request.register:
                    return frame
        if self._packetizer.rejected > rejected:
            raise codec.NovaStarGarbled(
                f"NovaStar answer to {request.describe()} on {self.path} had a bad checksum; "
                f"check the serial cable, its ground and the baud rate ({self.baud})")
        raise codec.NovaStarTimeout(
            f"NovaStar sending card did not answer {request.describe()} on {self.path} "
            f"within {self.timeout:g} s; check that the controller is powered, the RS-232 "
            f"cable, and the baud rate ({self.baud}; MCTRL600/610/660 use 1048576)")

    def _ensure_open(self):
        if self._port is not None:
            return self._port
        if self._closed:
            raise NovaStarLinkDown(f"NovaStar port {self.path} was closed; call open() first")
        now = self._clock.monotonic()
        if self._retry_at is not None and now < self._retry_at:
            raise NovaStarLinkDown(f"NovaStar port {self.path} is unavailable "
                                   f"({self.down_reason}); next reopen attempt in "
                                   f"{self._retry_at - now:.1f} s")
        try:
            self._port = self._open_port(self.path, self.baud, self.timeout)
        except ValueError as exc:
            raise DriverConfigError(f"NovaStar port {self.path}: {exc}") from exc
        except OSError as exc:
            self._schedule_retry(exc)
            raise NovaStarLinkDown(f"NovaStar port {self.path} cannot be opened ({exc}); "
                                   f"check the cable and the device path; retrying in "
                                   f"{self._retry_at - now:.1f} s") from exc
        if self.down_reason != "not opened yet":
            log.warning("NovaStar port %s is back", self.path)
        self._backoff, self._retry_at, self.down_reason = BACKOFF_FIRST, None, None
        return self._port

    def _schedule_retry(self, exc: BaseException) -> None:
        self.down_reason = str(exc)
        self._retry_at = self._clock.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, BACKOFF_MAX)

    def _lost(self, exc: BaseException) -> None:
        log.warning("NovaStar port %s lost: %s", self.path, exc)
        self._close_port()
        self._schedule_retry(exc)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            self._close_port()
            self._closed, self.down_reason = True, "closed"


def _with_tries(error: codec.NovaStarError, tries: int) -> codec.NovaStarError:
    return type(error)(f"{error} (after {tries} tries)")
