"""NovaStar sending-card control protocol (RS-232 / TCP 5200), as a pure codec.

Bytes in, frames out; frames in, bytes out. No I/O, no clock. The layout, registers and
checksum rule follow NovaStar's "Nova Control System Protocol" V1.9 (see
shared/protocols/README.md for the summary and the checked frames):

    55 AA | ack | serial | source | destination | device type | port | card (u16) |
    code (00 read, 01 write) | 00 | register (u32) | length (u16) | data | checksum (u16)

Responses start AA 55; all multi-byte fields are little-endian; the checksum is the sum
of every byte after the head plus 0x5555, truncated to 16 bits.
"""

from __future__ import annotations

import dataclasses
import struct

from drivers.base import DriverConfigError, DriverError, DriverUnavailable

REQUEST_HEAD = b"\x55\xaa"
RESPONSE_HEAD = b"\xaa\x55"
HEADER_LEN = 18  # head .. length, i.e. everything before the data
CHECKSUM_SEED = 0x5555
PC_ADDRESS = 0xFE
MAX_DATA = 4096  # the largest documented block is 256 bytes; more means garbage

READ, WRITE = 0x00, 0x01
SENDING_CARD, RECEIVING_CARD, FUNCTION_CARD = 0x00, 0x01, 0x02
ALL_PORTS, ALL_CARDS = 0xFF, 0xFFFF

# Registers (p. 13, 19, 22, 30, 45, 49, 53, 57 of the V1.9 document).
REG_CARD_INFO = 0x0000_0000  # receiving card: model (2 bytes) + firmware (4 bytes)
REG_MODEL = 0x0000_0002  # sending card: controller model ID, 2 bytes
REG_SAVE = 0x0100_0011  # receiving card: write any byte to store parameters in flash
REG_BRIGHTNESS = 0x0200_0001  # receiving card: overall, R, G, B, virtual R (1 byte each)
REG_DVI_SIGNAL = 0x0200_0017  # sending card: 01 = DVI/HDMI signal present
REG_KILL = 0x0200_0100  # receiving card: FF black, 00 normal ("kill mode")
REG_TEST_PATTERN = 0x0200_0101  # receiving card: self-test pattern
REG_LOCK = 0x0200_0102  # receiving card: FF frozen, 00 normal ("lock mode")
REG_MONITOR = 0x0A00_0000  # receiving card: monitoring block, 256 bytes

REGISTER_NAMES = {
    REG_CARD_INFO: "card info",
    REG_MODEL: "controller model",
    REG_SAVE: "save to flash",
    REG_BRIGHTNESS: "brightness",
    REG_DVI_SIGNAL: "DVI signal",
    REG_KILL: "blackout (kill mode)",
    REG_TEST_PATTERN: "test pattern",
    REG_LOCK: "freeze (lock mode)",
    REG_MONITOR: "monitoring block",
}

# Self-test patterns (p. 49). None means normal video (register value 00).
TEST_PATTERNS = {
    "red": 0x02, "green": 0x03, "blue": 0x04, "white": 0x05, "horizontal": 0x06,
    "vertical": 0x07, "diagonal": 0x08, "grey": 0x09, "ageing": 0x0A,
}
PATTERN_ALIASES = {"gray": "grey", "aging": "ageing"}
PATTERN_NAMES = {value: name for name, value in TEST_PATTERNS.items()}

# Controller model IDs as read from REG_MODEL, in wire order (low byte first).
MODELS = {
    b"\x01\x00": "MCTRL300",
    b"\x01\x01": "MCTRL500",
    b"\x01\x11": "MCTRL600/610",
    b"\x07\x11": "MCTRL660 Pro",
}
MODEL_IDS = {name: ident for ident, name in MODELS.items()}


# --- errors -----------------------------------------------------------------------------

class NovaStarError(DriverError):
    """A NovaStar request failed; the message says which card and command, and what to check."""


class NovaStarTimeout(NovaStarError, DriverUnavailable):
    """No answer within the timeout: the sending card is off, unplugged or at another baud."""


class NovaStarGarbled(NovaStarError):
    """Bytes came back but no frame with a valid checksum: noise, wrong baud or a bad cable."""

    retryable = True


class NovaStarAckError(NovaStarError):
    """The sending card answered with a non-zero ACK code."""

    code = -1
    hint = "see the NovaStar protocol document"


class CardNotAnswering(NovaStarAckError):
    code = 0x01
    retryable = True
    hint = ("check the network cable from the sending card to that receiving card and the "
            "cabinet's power")


class RequestChecksumRejected(NovaStarAckError):
    code = 0x02
    retryable = True
    hint = "the request was corrupted on the way: check the serial cable, baud and ground"


class ResponseChecksumRejected(NovaStarAckError):
    code = 0x03
    retryable = True
    hint = "a receiving card's answer was corrupted: check the cabinet network cables"


class InvalidCommand(NovaStarAckError):
    code = 0x04
    hint = "this controller model does not support the register; check the model"


ACK_ERRORS = {cls.code: cls for cls in
              (CardNotAnswering, RequestChecksumRejected, ResponseChecksumRejected,
               InvalidCommand)}
ACK_MEANINGS = {
    0x01: "the device behind the sending card did not answer",
    0x02: "the sending card found the request's checksum bad",
    0x03: "the sending card found the receiving card's answer's checksum bad",
    0x04: "the sending card called the command invalid",
}


# --- frames -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Frame:
    """One request or response. `data` is what follows the header (may be empty)."""

    response: bool
    serial: int
    register: int
    code: int = READ
    length: int = 0
    data: bytes = b""
    ack: int = 0
    source: int = PC_ADDRESS
    destination: int = 0
    device_type: int = RECEIVING_CARD
    port: int = 0
    card: int = 0
    checksum_ok: bool = dataclasses.field(default=True, compare=False)

    def encode(self) -> bytes:
        head = RESPONSE_HEAD if self.response else REQUEST_HEAD
        body = struct.pack("<BBBBBBHBBIH", self.ack, self.serial, self.source,
                           self.destination, self.device_type, self.port, self.card,
                           self.code, 0, self.register, self.length) + self.data
        return head + body + struct.pack("<H", checksum(body))

    def describe(self) -> str:
        """'write brightness to receiving card port 0 index 3', for error messages."""
        what = REGISTER_NAMES.get(self.register, f"register 0x{self.register:08X}")
        verb = "write" if self.code == WRITE else "read"
        return f"{verb} {what} {'to' if self.code == WRITE else 'from'} {target_name(self)}"


def target_name(frame: Frame) -> str:
    if frame.device_type == SENDING_CARD:
        return f"sending card {frame.destination}"
    kind = {RECEIVING_CARD: "receiving card", FUNCTION_CARD: "function card"}.get(
        frame.device_type, f"device type {frame.device_type}")
    port = "all ports" if frame.port == ALL_PORTS else f"port {frame.port}"
    card = "all cards" if frame.card == ALL_CARDS else f"index {frame.card}"
    return f"{kind} {port} {card}"


def checksum(body: bytes) -> int:
    """Sum of the bytes after the head (ACK .. end of data) plus 0x5555, 16 bits."""
    return (sum(body) + CHECKSUM_SEED) & 0xFFFF


def read_request(serial: int, register: int, length: int, *, device_type: int,
                 port: int = 0, card: int = 0, destination: int = 0) -> Frame:
    return Frame(False, serial & 0xFF, register, READ, length, b"", 0, PC_ADDRESS,
                 destination, device_type, port, card)


def write_request(serial: int, register: int, data: bytes, *,
                  device_type: int = RECEIVING_CARD, port: int = ALL_PORTS,
                  card: int = ALL_CARDS, destination: int = 0) -> Frame:
    return Frame(False, serial & 0xFF, register, WRITE, len(data), bytes(data), 0,
                 PC_ADDRESS, destination, device_type, port, card)


def response_to(request: Frame, ack: int = 0, data: bytes = b"") -> Frame:
    """The sending card's answer: same header, source = the addressed device, data if read."""
    return dataclasses.replace(request, response=True, ack=ack, source=request.destination,
                               destination=PC_ADDRESS, length=len(data), data=bytes(data))


def check_ack(frame: Frame, request: Frame | None = None) -> Frame:
    """Return the frame if its ACK is 00, else raise the ACK's error naming card and command."""
    if frame.ack == 0:
        return frame
    cls = ACK_ERRORS.get(frame.ack, NovaStarAckError)
    meaning = ACK_MEANINGS.get(frame.ack, "unknown ACK code")
    action = (request or frame).describe()
    raise cls(f"NovaStar {action} failed: ACK {frame.ack:02X} ({meaning}); {cls.hint}")


# --- commands ---------------------------------------------------------------------------

def brightness_level(percent: float) -> int:
    """Percent 0..100 -> the register's 0..255."""
    if not 0 <= percent <= 100:
        raise DriverConfigError(f"brightness {percent} is outside 0..100 percent")
    return int(255 * percent / 100 + 0.5)  # half up: 30 % -> 77, not banker's 76


def brightness_percent(level: int) -> float:
    return round(level * 100 / 255, 1)


def pattern_value(name: str | None) -> int:
    """A test-pattern name (or None for normal video) -> the register value."""
    if name is None:
        return 0x00
    key = PATTERN_ALIASES.get(name.lower(), name.lower())
    if key not in TEST_PATTERNS:
        raise DriverConfigError(f"test pattern {name!r} unknown; choose one of "
                                f"{', '.join(TEST_PATTERNS)} (or none for normal video)")
    return TEST_PATTERNS[key]


def brightness_request(serial: int, percent: float, **target) -> Frame:
    return write_request(serial, REG_BRIGHTNESS, bytes([brightness_level(percent)]), **target)


def kill_request(serial: int, black: bool, **target) -> Frame:
    return write_request(serial, REG_KILL, b"\xff" if black else b"\x00", **target)


def freeze_request(serial: int, frozen: bool, **target) -> Frame:
    return write_request(serial, REG_LOCK, b"\xff" if frozen else b"\x00", **target)


def pattern_request(serial: int, name: str | None, **target) -> Frame:
    return write_request(serial, REG_TEST_PATTERN, bytes([pattern_value(name)]), **target)


def save_request(serial: int, **target) -> Frame:
    return write_request(serial, REG_SAVE, b"\x11", **target)


def model_request(serial: int, destination: int = 0) -> Frame:
    return read_request(serial, REG_MODEL, 2, device_type=SENDING_CARD, destination=destination)


def dvi_request(serial: int, destination: int = 0) -> Frame:
    return read_request(serial, REG_DVI_SIGNAL, 1, device_type=SENDING_CARD,
                        destination=destination)


def card_info_request(serial: int, port: int, card: int, destination: int = 0) -> Frame:
    return read_request(serial, REG_CARD_INFO, 6, device_type=RECEIVING_CARD, port=port,
                        card=card, destination=destination)


def monitor_request(serial: int, port: int, card: int, length: int = 4,
                    destination: int = 0) -> Frame:
    return read_request(serial, REG_MONITOR, length, device_type=RECEIVING_CARD, port=port,
                        card=card, destination=destination)


def display_state_request(serial: int, port: int, card: int, destination: int = 0) -> Frame:
    """Kill, self-test and lock registers are adjacent: one 3-byte read gets all three."""
    return read_request(serial, REG_KILL, 3, device_type=RECEIVING_CARD, port=port,
                        card=card, destination=destination)


def card_brightness_request(serial: int, port: int, card: int, destination: int = 0) -> Frame:
    return read_request(serial, REG_BRIGHTNESS, 1, device_type=RECEIVING_CARD, port=port,
                        card=card, destination=destination)


# --- read-backs -------------------------------------------------------------------------

def _need(data: bytes, n: int, what: str) -> None:
    if len(data) < n:
        raise NovaStarGarbled(f"NovaStar {what} answer has {len(data)} bytes, expected {n}")


def decode_model(data: bytes) -> str:
    _need(data, 2, "controller model")
    ident = bytes(data[:2])
    return MODELS.get(ident, f"unknown model {ident.hex(' ').upper()}")


def decode_dvi(data: bytes) -> bool:
    _need(data, 1, "DVI signal")
    return data[0] == 0x01


def decode_card_present(data: bytes) -> bool:
    """A working receiving card reads back a non-zero model ID (p. 45)."""
    _need(data, 1, "card info")
    return any(data[:2])


def decode_firmware(data: bytes) -> str | None:
    if len(data) < 6 or not any(data[2:6]):
        return None
    return ".".join(str(b) for b in data[2:6])


def decode_temperature(data: bytes) -> float | None:
    """Bytes 0-1 of the monitoring block: bit7 valid, bit0 sign; then 0.5 °C steps."""
    _need(data, 2, "temperature")
    if not data[0] & 0x80:
        return None
    value = data[1] * 0.5
    return -value if data[0] & 0x01 else value


def encode_temperature(celsius: float | None) -> bytes:
    if celsius is None:
        return b"\x00\x00"
    steps = min(255, round(abs(celsius) * 2))
    return bytes([0x80 | (0x01 if celsius < 0 and steps else 0x00), steps])


def decode_voltage(byte: int) -> float | None:
    """Bit7 valid, low 7 bits in 0.1 V."""
    if not byte & 0x80:
        return None
    return round((byte & 0x7F) * 0.1, 1)


def encode_voltage(volts: float | None) -> int:
    if volts is None:
        return 0x00
    return 0x80 | max(0, min(127, round(volts * 10)))


@dataclasses.dataclass(frozen=True)
class Monitor:
    temperature_c: float | None
    voltage_v: float | None
    monitor_card: bool | None = None  # None when the read was too short to tell


def decode_monitor(data: bytes) -> Monitor:
    """The monitoring block (p. 13), any prefix of at least 2 bytes."""
    temperature = decode_temperature(data)
    voltage = decode_voltage(data[3]) if len(data) >= 4 else None
    monitor_card = data[0x20] == 0xFF if len(data) > 0x20 else None
    return Monitor(temperature, voltage, monitor_card)


@dataclasses.dataclass(frozen=True)
class DisplayState:
    power: bool  # False when kill mode blacks the wall out
    test_pattern: str | None
    frozen: bool


def decode_display_state(data: bytes) -> DisplayState:
    """Kill, self-test and lock registers as read by `display_state_request`."""
    _need(data, 3, "display state")
    pattern = PATTERN_NAMES.get(data[1]) if data[1] not in (0x00, 0x01) else None
    return DisplayState(power=data[0] != 0xFF, test_pattern=pattern, frozen=data[2] == 0xFF)


# --- stream framing ---------------------------------------------------------------------

class Packetizer:
    """Cuts a byte stream into frames that start with `head` and carry a valid checksum.

    Anything else is skipped (counted in `skipped`). A candidate that is complete but
    fails its checksum is dropped (counted in `rejected`) and the search resumes one byte
    later; with `keep_rejected` it is also returned, flagged `checksum_ok=False`. A
    candidate still waiting for bytes is abandoned if a later head already holds a valid
    frame, so a false head in garbage cannot stall the stream.
    """

    def __init__(self, head: bytes = RESPONSE_HEAD, keep_rejected: bool = False):
        self.head = head
        self.keep_rejected = keep_rejected
        self.buffer = bytearray()
        self.skipped = 0
        self.rejected = 0

    def clear(self) -> None:
        self.skipped += len(self.buffer)
        self.buffer.clear()

    def feed(self, data: bytes) -> list[Frame]:
        self.buffer += data
        frames: list[Frame] = []
        while True:
            start = self.buffer.find(self.head)
            if start < 0:
                keep = 1 if self.buffer.endswith(self.head[:1]) else 0
                self._drop(len(self.buffer) - keep)
                return frames
            self._drop(start)
            status, frame, size = self._candidate(0)
            if status == "wait":
                later = self._later_valid_frame()
                if later is None:
                    return frames
                self._drop(later)
                continue
            if status == "bad":
                self.rejected += frame is not None
                if frame is not None and self.keep_rejected:
                    frames.append(frame)
                self._drop(size if frame is not None and self.keep_rejected else 1)
                continue
            frames.append(frame)
            del self.buffer[:size]

    def _drop(self, n: int) -> None:
        if n > 0:
            self.skipped += n
            del self.buffer[:n]

    def _later_valid_frame(self) -> int | None:
        pos = self.buffer.find(self.head, 1)
        while pos >= 0:
            if self._candidate(pos)[0] == "ok":
                return pos
            pos = self.buffer.find(self.head, pos + 1)
        return None

    def _candidate(self, pos: int) -> tuple[str, Frame | None, int]:
        """('ok'|'bad'|'wait', frame or None, frame size) for a head at `pos`."""
        buf = self.buffer
        if len(buf) - pos < HEADER_LEN:
            return "wait", None, 0
        (ack, serial, source, destination, device_type, port, card, code, _reserved,
         register, length) = struct.unpack_from("<BBBBBBHBBIH", buf, pos + 2)
        if code not in (READ, WRITE) or length > MAX_DATA:
            return "bad", None, 1
        response = self.head == RESPONSE_HEAD
        carried = length if (response or code == WRITE) else 0
        size = HEADER_LEN + carried + 2
        if len(buf) - pos < size:
            return "wait", None, 0
        body = bytes(buf[pos + 2: pos + HEADER_LEN + carried])
        (wire_sum,) = struct.unpack_from("<H", buf, pos + HEADER_LEN + carried)
        frame = Frame(response, serial, register, code, length, body[HEADER_LEN - 2:], ack,
                      source, destination, device_type, port, card,
                      checksum_ok=wire_sum == checksum(body))
        return ("ok" if frame.checksum_ok else "bad"), frame, size


def parse_frame(raw: bytes) -> Frame:
    """Exactly one frame (either direction) with a valid checksum, or NovaStarGarbled."""
    head = bytes(raw[:2])
    if head not in (REQUEST_HEAD, RESPONSE_HEAD):
        raise NovaStarGarbled(f"frame starts {head.hex(' ').upper()}, not 55 AA or AA 55")
    packetizer = Packetizer(head)
    frames = packetizer.feed(raw)
    if len(frames) != 1 or packetizer.buffer or packetizer.skipped:
        raise NovaStarGarbled(f"not one valid NovaStar frame: {bytes(raw).hex(' ').upper()}")
    return frames[0]
