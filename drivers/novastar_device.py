"""An emulated NovaStar sending card with its receiving cards, as a pure SerialPeer.

Serve it on a pty with `PtyPort(NovaStarDevice()).plug()` and point the real driver at
the pty. It speaks the same frames as the hardware: registers are a sparse memory per
card, writes are acknowledged, a missing card answers ACK 01, and the receiving cards'
temperature drifts with the (injected) clock. `fault` switches in the failures the
driver must survive: "no-answer", "bad-checksum", "ack01", "garbage" (a pulled cable is
`PtyPort.unplug()`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from typing import Iterable, Mapping

from drivers import novastar_codec as codec

log = logging.getLogger(__name__)

FAULTS = (None, "no-answer", "bad-checksum", "ack01", "garbage")
# A false head and a truncated header ahead of each answer: the driver must skip them.
GARBAGE = bytes.fromhex("13 37 00 FF AA 55 00 99 AA")
CARD_INFO = bytes.fromhex("05 41 04 02 00 01")  # model 0x4105, FPGA 4.2.0.1 (p. 46)


@dataclasses.dataclass
class ReceivingCard:
    port: int
    index: int
    present: bool = True
    temperature_c: float = 36.0  # mean; the reading drifts around it
    voltage_v: float | None = 5.0
    memory: dict[int, int] = dataclasses.field(default_factory=dict)
    flash: dict[int, int] = dataclasses.field(default_factory=dict)

    def read(self, register: int, length: int) -> bytes:
        return bytes(self.memory.get(register + i, 0) for i in range(length))

    def write(self, register: int, data: bytes) -> None:
        for i, byte in enumerate(data):
            self.memory[register + i] = byte


class NovaStarDevice:
    """A sending card (`address` on the serial chain) with receiving cards on its ports."""

    def __init__(self, model: str = "MCTRL660 Pro",
                 cards: Iterable[tuple[int, int]] = ((0, 0), (0, 1), (1, 0), (1, 1)),
                 clock=time, dvi_signal: bool = True, address: int = 0,
                 drift_c: float = 3.0, drift_period_s: float = 600.0):
        if model not in codec.MODEL_IDS:
            raise ValueError(f"model {model!r} unknown; choose one of "
                             f"{', '.join(codec.MODEL_IDS)}")
        self.model = model
        self.dvi_signal = dvi_signal
        self.address = address
        self.clock = clock
        self.drift_c = drift_c
        self.drift_period_s = drift_period_s
        self.fault: str | None = None
        self.cards = {(p, i): self._new_card(p, i) for p, i in cards}
        self.received: list[bytes] = []  # every valid request, as it came off the wire
        self.saves = 0  # writes to the flash-store register
        self._start = clock.monotonic()
        self._packetizer = codec.Packetizer(codec.REQUEST_HEAD, keep_rejected=True)
        self._lock = threading.Lock()

    @classmethod
    def emulate(cls, size: tuple[int, int], options: Mapping[str, str]) -> "NovaStarDevice":
        """The card `signage emulate-panel` serves: a sending card has no size or wiring of
        its own (its receiving cards hold the mapping), so both are ignored."""
        return cls()

    def state(self) -> dict:
        """What `signage emulate-panel` prints for `status`."""
        return {"model": self.model, "brightness": self.brightness, "blackout": self.blackout,
                "frozen": self.frozen, "test_pattern": self.test_pattern, "saves": self.saves,
                "fault": self.fault,
                "cards": [{"port": p, "index": i, "present": c.present,
                           "temperature_c": round(self.temperature(c), 1)}
                          for (p, i), c in sorted(self.cards.items())]}

    @staticmethod
    def _new_card(port: int, index: int) -> ReceivingCard:
        card = ReceivingCard(port, index)
        card.write(codec.REG_CARD_INFO, CARD_INFO)
        card.write(codec.REG_BRIGHTNESS, b"\xff\xff\xff\xff\xff")
        return card

    # --- what an observer sees on the wall ----------------------------------------------

    def _first(self) -> ReceivingCard | None:
        return next((c for c in self.cards.values() if c.present), None)

    def _register(self, register: int, default: int = 0) -> int:
        card = self._first()
        return card.memory.get(register, default) if card else default

    @property
    def brightness(self) -> int:
        """The first present card's overall brightness register, 0..255."""
        return self._register(codec.REG_BRIGHTNESS, 0xFF)

    @property
    def blackout(self) -> bool:
        return self._register(codec.REG_KILL) == 0xFF

    @property
    def frozen(self) -> bool:
        return self._register(codec.REG_LOCK) == 0xFF

    @property
    def test_pattern(self) -> str | None:
        return codec.PATTERN_NAMES.get(self._register(codec.REG_TEST_PATTERN))

    def temperature(self, card: ReceivingCard) -> float:
        """The card's temperature now: its mean plus a slow sine drift (phase per card)."""
        elapsed = self.clock.monotonic() - self._start
        phase = 2 * math.pi * elapsed / self.drift_period_s + card.port + card.index / 4
        return card.temperature_c + self.drift_c * math.sin(phase)

    # --- the wire ------------------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Take the host's bytes (any split); return the answers to every complete request."""
        with self._lock:
            replies = [self._answer(frame) for frame in self._packetizer.feed(data)]
        return b"".join(replies)

    def _answer(self, request: codec.Frame) -> bytes:
        if request.destination not in (self.address, 0xFF):
            return b""  # meant for another controller on the chain
        if not request.checksum_ok:
            return self._wire(codec.response_to(request, ack=0x02))
        self.received.append(request.encode())
        if self.fault == "no-answer":
            return b""
        return self._wire(self._handle(request))

    def _wire(self, response: codec.Frame) -> bytes:
        raw = response.encode()
        if self.fault == "bad-checksum":
            raw = raw[:-2] + bytes([raw[-2] ^ 0x5A]) + raw[-1:]
        if self.fault == "garbage":
            raw = GARBAGE + raw
        return raw

    def _handle(self, request: codec.Frame) -> codec.Frame:
        if request.device_type == codec.SENDING_CARD:
            return self._sending_card(request)
        if request.device_type != codec.RECEIVING_CARD or self.fault == "ack01":
            return codec.response_to(request, ack=0x01)  # no function card on this chain
        targets = self._targets(request)
        if not targets:
            return codec.response_to(request, ack=0x01)
        if request.code == codec.WRITE:
            for card in targets:
                self._write(card, request)
            return codec.response_to(request)
        return codec.response_to(request, data=self._read(targets[0], request))

    def _targets(self, request: codec.Frame) -> list[ReceivingCard]:
        return [card for (port, index), card in sorted(self.cards.items())
                if card.present
                and request.port in (port, codec.ALL_PORTS)
                and request.card in (index, codec.ALL_CARDS)]

    def _write(self, card: ReceivingCard, request: codec.Frame) -> None:
        card.write(request.register, request.data)
        if request.register == codec.REG_SAVE:
            card.flash = dict(card.memory)
            if card is self._targets(request)[0]:
                self.saves += 1

    def _read(self, card: ReceivingCard, request: codec.Frame) -> bytes:
        if request.register == codec.REG_MONITOR:
            card.write(codec.REG_MONITOR, codec.encode_temperature(self.temperature(card)))
            card.write(codec.REG_MONITOR + 3, bytes([codec.encode_voltage(card.voltage_v)]))
        return card.read(request.register, request.length)

    def _sending_card(self, request: codec.Frame) -> codec.Frame:
        if request.code == codec.WRITE:
            return codec.response_to(request)
        memory = {codec.REG_MODEL: codec.MODEL_IDS[self.model],
                  codec.REG_DVI_SIGNAL: b"\x01" if self.dvi_signal else b"\x00"}
        value = memory.get(request.register)
        if value is None:
            return codec.response_to(request, ack=0x04)
        return codec.response_to(request, data=value[:request.length].ljust(request.length,
                                                                            b"\x00"))
