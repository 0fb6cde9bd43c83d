"""NovaStar sending-card control driver: brightness, blackout, patterns, health read-back.

Video reaches the wall by HDMI/DVI (pair this with an hdmi:// driver); this driver only
controls the card over RS-232, so `present()` just counts frames. URL:

    novastar:///dev/ttyUSB0?baud=115200&timeout=1&retries=2&poll=5&cards=auto&size=768x384

- baud: 115200 (MCTRL300/500) or 1048576 (MCTRL600/610/660).
- timeout: seconds to wait for each answer; retries: extra tries after a timeout or a
  garbled answer (ACK 01 and 04 are answers, so they are not retried).
- poll: seconds between telemetry read-backs in the background; 0 = no poller thread
  (call `poll_once()` / `read_status()` yourself).
- cards: which receiving cards to watch. `auto` (default) probes ports 0-5, index 0
  upward until a card does not answer, once, and then watches what it found (so a card
  that later dies shows up as not present); `none` watches none; or a list of
  `PORT:INDEX` / `PORT:FIRST-LAST` groups, e.g. `cards=0:0-3,1:0-1`.
- dest: the sending card's address on the serial chain (default 0).
- size: the panel's pixels, WxH (default 768x384).

The port is opened with `serial.serial_for_url`, so `loop://`, `spy://` and ptys work.
A port that vanishes (USB unplugged) makes the link "down" and is reopened with backoff
(0.5 s doubling to 30 s); commands meanwhile raise `NovaStarLinkDown` (DriverUnavailable).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
import time
from typing import TYPE_CHECKING, Callable

import serial

from drivers import novastar_codec as codec
from drivers.base import (DriverConfigError, DriverError, DriverUnavailable, DriverURL,
                          PanelTelemetry, parse_size)

if TYPE_CHECKING:
    import pygame

log = logging.getLogger(__name__)

DEFAULT_SIZE = (768, 384)
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
READ_SLICE = 0.02  # a blocking read returns at least this often, to check the deadline
POLL_SLICE = 0.2  # the poller wakes this often, so close() is prompt
PROBE_PORTS, PROBE_CARDS = 6, 64
OPTIONS = ("baud", "timeout", "retries", "poll", "cards", "dest", "size")
# Faults of the transmission itself: another try may get through.
TRANSMISSION_ERRORS = (codec.NovaStarTimeout, codec.NovaStarGarbled,
                       codec.RequestChecksumRejected, codec.ResponseChecksumRejected)


class NovaStarLinkDown(codec.NovaStarError, DriverUnavailable):
    """The serial port is gone (unplugged) or cannot be opened; it is reopened with backoff."""


# --- options ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class NovaStarOptions:
    port: str
    baud: int = 115200
    timeout: float = 1.0
    retries: int = 2
    poll: float = 5.0
    cards: tuple[tuple[int, int], ...] | None = None  # None = probe once
    destination: int = 0
    size: tuple[int, int] = DEFAULT_SIZE

    @classmethod
    def from_url(cls, url: DriverURL) -> "NovaStarOptions":
        unknown = sorted(set(url.query) - set(OPTIONS))
        if unknown:
            raise DriverConfigError(f"novastar URL option {unknown[0]!r} unknown; known: "
                                    f"{', '.join(OPTIONS)}")
        if not url.target:
            raise DriverConfigError("novastar URL needs a serial port, e.g. "
                                    "novastar:///dev/ttyUSB0?baud=115200")
        q = url.query
        return cls(
            port=url.target,
            baud=int(_number(q, "baud", 115200, 50, 4_000_000)),
            timeout=_number(q, "timeout", 1.0, 0.01, 60),
            retries=int(_number(q, "retries", 2, 0, 10)),
            poll=_number(q, "poll", 5.0, 0, 3600),
            cards=parse_cards(q.get("cards", "auto")),
            destination=int(_number(q, "dest", 0, 0, 254)),
            size=parse_size(q["size"]) if "size" in q else DEFAULT_SIZE,
        )


def _number(query: dict, key: str, default: float, low: float, high: float) -> float:
    text = query.get(key)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise DriverConfigError(f"novastar URL option {key}={text!r} is not a number") from None
    if not low <= value <= high:
        raise DriverConfigError(f"novastar URL option {key}={text} is outside {low}..{high}")
    return value


def parse_cards(text: str) -> tuple[tuple[int, int], ...] | None:
    """'auto' -> None; 'none' -> (); '0:0-3,1:0' -> ((0, 0), (0, 1), (0, 2), (0, 3), (1, 0))."""
    text = text.strip().lower()
    if text == "auto":
        return None
    if text in ("none", ""):
        return ()
    cards: list[tuple[int, int]] = []
    for group in text.split(","):
        try:
            port_text, _, span = group.partition(":")
            first, _, last = span.partition("-")
            port, lo = int(port_text), int(first)
            hi = int(last) if last else lo
        except ValueError:
            raise DriverConfigError(f"novastar cards group {group!r} is not PORT:INDEX or "
                                    f"PORT:FIRST-LAST, e.g. cards=0:0-3,1:0-1") from None
        if not (0 <= port < 0xFF and 0 <= lo <= hi < 0xFFFF):
            raise DriverConfigError(f"novastar cards group {group!r}: port 0..254, "
                                    f"index 0..65534, first <= last")
        cards.extend((port, i) for i in range(lo, hi + 1) if (port, i) not in cards)
    return tuple(cards)


# --- the serial link --------------------------------------------------------------------

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


# --- the driver -------------------------------------------------------------------------

class NovaStarDriver:
    """A control driver: commands and read-backs over the link; video goes by HDMI."""

    def __init__(self, options: NovaStarOptions, clock=time, open_port: Callable = open_serial):
        self.options = options
        self.size = options.size
        self._clock = clock
        self._link = SerialLink(options.port, options.baud, options.timeout, options.retries,
                                clock, open_port)
        self._target = {"destination": options.destination}
        self._cards = options.cards
        self._frames = 0
        self._state_lock = threading.Lock()
        self._display: dict = {"brightness": None, "power": None, "test_pattern": None,
                               "frozen": None}
        self._status: dict = {"model": None, "dvi_signal": None, "cards": []}
        self._responding: bool | None = None  # did the sending card answer lately?
        self._read_at: float | None = None
        self._errors = 0
        self._last_error: str | None = None
        self._next_poll: float | None = None
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    # --- Driver protocol ---------------------------------------------------------------

    def open(self) -> None:
        """Open the port (an absent port is retried later) and start the poller if poll > 0."""
        self.open_link()
        if self.options.poll > 0 and self._poller is None:
            self._stop.clear()
            self._poller = threading.Thread(target=self._run, name="novastar-poll",
                                            daemon=True)
            self._poller.start()

    def open_link(self) -> bool:
        """Open only the port, no poller (the technician CLI's way). False if unavailable."""
        ok = self._link.connect()
        if not ok:
            self._note_error(NovaStarLinkDown(f"NovaStar port {self.options.port}: "
                                              f"{self._link.down_reason}"))
        return ok

    def present(self, frame: "pygame.Surface", dirty=None) -> None:
        self._frames += 1  # the picture itself travels by HDMI

    def set_brightness(self, percent: float) -> None:
        level = codec.brightness_level(percent)
        self._command(lambda s: codec.brightness_request(s, percent, **self._target))
        self._remember(brightness=codec.brightness_percent(level))

    def set_power(self, on: bool) -> None:
        """Off = kill mode (the wall goes black while the video keeps running)."""
        self._command(lambda s: codec.kill_request(s, not on, **self._target))
        self._remember(power=bool(on))

    def show_test_pattern(self, pattern: str | None) -> None:
        value = codec.pattern_value(pattern)
        self._command(lambda s: codec.pattern_request(s, pattern, **self._target))
        self._remember(test_pattern=codec.PATTERN_NAMES.get(value))

    def freeze(self, on: bool) -> None:
        self._command(lambda s: codec.freeze_request(s, on, **self._target))
        self._remember(frozen=bool(on))

    def save(self) -> None:
        """Store the receiving cards' settings in flash, so they survive a power cut."""
        self._command(lambda s: codec.save_request(s, **self._target))

    def telemetry(self) -> PanelTelemetry:
        with self._state_lock:
            return PanelTelemetry(link=self._link_state(), brightness=self._display["brightness"],
                                  power=self._display["power"],
                                  test_pattern=self._display["test_pattern"],
                                  frames=self._frames, read_at=self._read_at,
                                  extra=self._extra())

    def close(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=self.options.timeout * (self.options.retries + 1) + 2)
            self._poller = None
        self._link.close()

    # --- read-backs --------------------------------------------------------------------

    def read_status(self) -> dict:
        """Read model, DVI signal, every watched card and the display state now; raise on failure.

        Keys: model, dvi_signal, cards [{port, index, present, temperature_c, voltage_v,
        firmware}], brightness, power, test_pattern, frozen, link, port, errors, last_error.
        """
        try:
            status = self._read_all()
        except DriverError as exc:
            self._note_error(exc)
            raise
        with self._state_lock:
            self._log_card_changes(status["cards"])
            self._status = {k: status[k] for k in ("model", "dvi_signal", "cards")}
            self._display.update({k: status[k] for k in self._display})
            self._set_responding(True, None)
            self._read_at = self._clock.monotonic()
            result = self._extra()
            result.update(self._display, link=self._link_state())
            return result

    def poll_once(self) -> bool:
        """One telemetry refresh; failures are recorded (link down, last_error), not raised."""
        try:
            self.read_status()
        except DriverError:
            return False
        return True

    def tick(self) -> bool:
        """Poll if the interval is due (or a lost port is due for reopening). True if polled."""
        now = self._clock.monotonic()
        due = self._next_poll is None or now >= self._next_poll
        if not due and not (not self._link.is_open and self._link.reopen_due()):
            return False
        self.poll_once()
        interval = self.options.poll
        if interval > 0:
            # Due times stay on the start + n*interval grid; missed ones are skipped.
            self._next_poll = (now if self._next_poll is None else self._next_poll)
            while self._next_poll <= now:
                self._next_poll += interval
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the poller must outlive a bug in one read-back
                log.exception("NovaStar poll failed")
            self._clock.sleep(min(POLL_SLICE, self.options.poll))

    def _read_all(self) -> dict:
        dest = self.options.destination
        model = codec.decode_model(self._read(lambda s: codec.model_request(s, dest)))
        dvi = codec.decode_dvi(self._read(lambda s: codec.dvi_request(s, dest)))
        cards = [self._read_card(port, index) for port, index in self._watched_cards()]
        display = self._read_display(next((c for c in cards if c["present"]), None))
        return {"model": model, "dvi_signal": dvi, "cards": cards, **display}

    def _read(self, build: Callable[[int], codec.Frame]) -> bytes:
        return self._link.transact(build).data

    def _read_card(self, port: int, index: int) -> dict:
        dest = self.options.destination
        card = {"port": port, "index": index, "present": False, "temperature_c": None,
                "voltage_v": None, "firmware": None}
        try:
            info = self._read(lambda s: codec.card_info_request(s, port, index, dest))
            if not codec.decode_card_present(info):
                return card
            monitor = codec.decode_monitor(
                self._read(lambda s: codec.monitor_request(s, port, index, 4, dest)))
        except codec.CardNotAnswering:
            return card
        card.update(present=True, temperature_c=monitor.temperature_c,
                    voltage_v=monitor.voltage_v, firmware=codec.decode_firmware(info))
        return card

    def _read_display(self, card: dict | None) -> dict:
        """Brightness, kill, pattern and lock as the first present card holds them."""
        if card is None:
            with self._state_lock:
                return dict(self._display)  # nobody to ask: keep what we last set
        port, index, dest = card["port"], card["index"], self.options.destination
        try:
            level = self._read(lambda s: codec.card_brightness_request(s, port, index, dest))
            state = codec.decode_display_state(
                self._read(lambda s: codec.display_state_request(s, port, index, dest)))
        except codec.CardNotAnswering:  # it went away since we read its info
            return self._read_display(None)
        return {"brightness": codec.brightness_percent(level[0]) if level else None,
                "power": state.power, "test_pattern": state.test_pattern,
                "frozen": state.frozen}

    def _watched_cards(self) -> tuple[tuple[int, int], ...]:
        if self._cards is None:
            found = self._probe_cards()
            if found:
                log.info("NovaStar receiving cards found: %s",
                         ", ".join(f"{p}:{i}" for p, i in found))
                self._cards = found
            return found
        return self._cards

    def _probe_cards(self) -> tuple[tuple[int, int], ...]:
        found = []
        dest = self.options.destination
        for port in range(PROBE_PORTS):
            for index in range(PROBE_CARDS):
                try:
                    info = self._read(lambda s: codec.card_info_request(s, port, index, dest))
                except codec.NovaStarAckError:
                    break
                if not codec.decode_card_present(info):
                    break
                found.append((port, index))
        return tuple(found)

    # --- bookkeeping -------------------------------------------------------------------

    def _command(self, build: Callable[[int], codec.Frame]) -> None:
        try:
            self._link.transact(build)
        except DriverError as exc:
            self._note_error(exc)
            raise
        with self._state_lock:
            self._set_responding(True, None)

    def _remember(self, **display) -> None:
        with self._state_lock:
            self._display.update(display)

    def _note_error(self, exc: DriverError) -> None:
        with self._state_lock:
            self._errors += 1
            self._last_error = str(exc)
            if isinstance(exc, (DriverUnavailable, codec.NovaStarGarbled)):
                self._set_responding(False, exc)

    def _set_responding(self, responding: bool, exc: BaseException | None) -> None:
        if responding != self._responding:
            if responding:
                log.info("NovaStar link on %s is up", self.options.port)
            else:
                log.warning("NovaStar link on %s is down: %s", self.options.port, exc)
        self._responding = responding

    def _link_state(self) -> str:
        if not self._link.is_open or self._responding is False:
            return "down"
        return "up" if self._responding else "unknown"

    def _extra(self) -> dict:
        extra = copy.deepcopy(self._status)
        extra.update(frozen=self._display["frozen"], port=self.options.port,
                     errors=self._errors, last_error=self._last_error)
        return extra

    def _log_card_changes(self, cards: list[dict]) -> None:
        before = {(c["port"], c["index"]): c["present"] for c in self._status["cards"]}
        for card in cards:
            key = (card["port"], card["index"])
            if key in before and before[key] != card["present"]:
                log.warning("NovaStar receiving card port %d index %d is %s", *key,
                            "back" if card["present"] else "not answering")


def from_url(url: DriverURL) -> NovaStarDriver:
    return NovaStarDriver(NovaStarOptions.from_url(url))
