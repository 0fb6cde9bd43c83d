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

from drivers import novastar_codec as codec
from drivers.base import DriverConfigError, DriverError, DriverUnavailable, PanelTelemetry
from drivers.novastar_link import NovaStarLinkDown, SerialLink, open_serial
from drivers.urls import DEFAULT_PANEL, DriverURL, Options

if TYPE_CHECKING:
    import pygame

log = logging.getLogger(__name__)

POLL_SLICE = 0.2  # the poller wakes this often, so close() is prompt
PROBE_PORTS, PROBE_CARDS = 6, 64
OPTIONS = ("baud", "timeout", "retries", "poll", "cards", "dest", "size")


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
    size: tuple[int, int] = DEFAULT_PANEL

    @classmethod
    def from_url(cls, url: DriverURL) -> "NovaStarOptions":
        options = Options(url, OPTIONS)
        if not url.target:
            raise DriverConfigError("novastar URL needs a serial port, e.g. "
                                    "novastar:///dev/ttyUSB0?baud=115200")
        return cls(
            port=url.target,
            baud=int(options.number("baud", 115200, 50, 4_000_000)),
            timeout=options.number("timeout", 1.0, 0.01, 60),
            retries=int(options.number("retries", 2, 0, 10)),
            poll=options.number("poll", 5.0, 0, 3600),
            cards=parse_cards(options.text("cards", "auto")),
            destination=int(options.number("dest", 0, 0, 254)),
            size=options.size(default=DEFAULT_PANEL),
        )


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
