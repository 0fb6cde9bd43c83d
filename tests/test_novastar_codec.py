"""The NovaStar codec against the frames in shared/protocols/README.md and the V1.9 document."""

import pytest

from drivers import novastar_codec as codec
from drivers.base import DriverConfigError, DriverUnavailable


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


# (id, frame our encoder builds, the frame listed in shared/protocols/README.md)
README_REQUESTS = [
    ("brightness 100% all", lambda: codec.brightness_request(0x00, 100, destination=0xFF),
     "55 AA 00 00 FE FF 01 FF FF FF 01 00 01 00 00 02 01 00 FF 54 5B"),
    ("brightness five 0x80",
     lambda: codec.write_request(0x15, codec.REG_BRIGHTNESS, b"\x80" * 5),
     "55 AA 00 15 FE 00 01 FF FF FF 01 00 01 00 00 02 05 00 80 80 80 80 80 EF 5B"),
    ("blackout on", lambda: codec.kill_request(0x80, True),
     "55 AA 00 80 FE 00 01 FF FF FF 01 00 00 01 00 02 01 00 FF D5 5A"),
    ("blackout off", lambda: codec.kill_request(0x80, False),
     "55 AA 00 80 FE 00 01 FF FF FF 01 00 00 01 00 02 01 00 00 D6 59"),
    ("pattern red port 0", lambda: codec.pattern_request(0x80, "red", port=0),
     "55 AA 00 80 FE 00 01 00 FF FF 01 00 01 01 00 02 01 00 02 DA 58"),
    ("save to flash", lambda: codec.save_request(0x15),
     "55 AA 00 15 FE 00 01 FF FF FF 01 00 11 00 00 01 01 00 11 8B 59"),
    ("read model", lambda: codec.model_request(0x00),
     "55 AA 00 00 FE 00 00 00 00 00 00 00 02 00 00 00 02 00 57 56"),
    ("read DVI", lambda: codec.dvi_request(0x16),
     "55 AA 00 16 FE 00 00 00 00 00 00 00 17 00 00 02 01 00 83 56"),
    ("read temperature", lambda: codec.monitor_request(0x32, 0, 0, length=2),
     "55 AA 00 32 FE 00 01 00 00 00 00 00 00 00 00 0A 02 00 92 56"),
]


@pytest.mark.parametrize("build,listed", [r[1:] for r in README_REQUESTS],
                         ids=[r[0] for r in README_REQUESTS])
def test_encoder_reproduces_the_listed_frame(build, listed):
    assert build().encode().hex(" ").upper() == listed


@pytest.mark.parametrize("build,listed", [r[1:] for r in README_REQUESTS],
                         ids=[r[0] for r in README_REQUESTS])
def test_listed_request_parses_back_to_the_same_frame(build, listed):
    assert codec.parse_frame(hx(listed)) == build()


def test_write_ack_is_the_listed_ack():
    request = codec.brightness_request(0x00, 100, destination=0xFF)
    ack = codec.response_to(request)
    assert ack.encode() == hx("AA 55 00 00 FF FE 01 FF FF FF 01 00 01 00 00 02 00 00 54 5A")
    assert codec.check_ack(codec.parse_frame(ack.encode())) == ack


def test_dvi_present_response_decodes():
    frame = codec.parse_frame(hx("AA 55 00 16 00 FE 00 00 00 00 00 00 17 00 00 02 01 00 01 84 56"))
    assert frame.response and frame.serial == 0x16 and frame.register == codec.REG_DVI_SIGNAL
    assert codec.decode_dvi(frame.data) is True
    absent = codec.parse_frame(hx("AA 55 00 16 00 FE 00 00 00 00 00 00 17 00 00 02 01 00 00 83 56"))
    assert codec.decode_dvi(absent.data) is False


def test_temperature_response_decodes_to_36_degrees():
    raw = hx("AA 55 00 32 00 FE 01 00 00 00 00 00 00 00 00 0A 02 00 80 48 5A 57")  # p. 18
    frame = codec.parse_frame(raw)
    assert frame.data == hx("80 48")
    assert codec.decode_temperature(frame.data) == 36.0


def test_voltage_response_decodes_to_4_1_volts():
    frame = codec.parse_frame(hx("AA 55 00 32 00 FE 01 00 00 00 00 00 03 00 00 0A 01 00 A9 3D 57"))
    assert codec.decode_voltage(frame.data[0]) == 4.1


def test_whole_monitoring_block_from_the_document_decodes():
    lines = [  # p. 17, up to the run of zeros that fills the 256-byte block
        "AA 55 00 32 00 FE 01 00 00 00 00 00 00 00 00 0A 00 01",
        "80 36 00 B1 00 00 00 00 00 00 00 08 01",
        "04 04 05 00 10 32 54 76 00 00 00 00 E4 00 00 00 00 00 00 FF",
        "01 00 04 00 00 00 00 00 B2 80 80 80",
        "80 80 B1 80 80 80 80 80 80 80 80 00 00 00 00 00 00 00 00 00 03" + " FF" * 16,
    ]
    head_and_data = hx(" ".join(lines))
    raw = head_and_data + bytes(18 + 256 - len(head_and_data)) + hx("D8 72")  # zeros to 0xFF
    monitor = codec.decode_monitor(codec.parse_frame(raw).data)
    assert monitor == codec.Monitor(temperature_c=27.0, voltage_v=4.9, monitor_card=True)


@pytest.mark.parametrize("data,celsius", [
    ("80 48", 36.0), ("80 49", 36.5), ("81 0A", -5.0), ("00 48", None), ("80 00", 0.0),
], ids=["36.0", "half-steps", "negative", "invalid", "zero"])
def test_temperature_sign_valid_bit_and_half_degrees(data, celsius):
    assert codec.decode_temperature(hx(data)) == celsius
    if celsius is not None:
        assert codec.decode_temperature(codec.encode_temperature(celsius)) == celsius


def test_voltage_valid_bit():
    assert codec.decode_voltage(0x29) is None
    assert codec.decode_voltage(codec.encode_voltage(5.0)) == 5.0


@pytest.mark.parametrize("data,model", [
    ("01 00", "MCTRL300"), ("01 01", "MCTRL500"), ("01 11", "MCTRL600/610"),
    ("07 11", "MCTRL660 Pro"), ("09 99", "unknown model 09 99"),
])
def test_controller_models(data, model):
    assert codec.decode_model(hx(data)) == model


def test_model_responses_from_the_documents():
    mctrl660 = hx("AA 55 00 00 00 FE 00 00 00 00 00 00 02 00 00 00 02 00 07 11 6F 56")
    mctrl300 = hx("AA 55 00 AA 00 FE 00 00 00 00 00 00 02 00 00 00 02 00 01 00 02 57")
    assert codec.decode_model(codec.parse_frame(mctrl660).data) == "MCTRL660 Pro"
    assert codec.decode_model(codec.parse_frame(mctrl300).data) == "MCTRL300"


def test_receiving_card_info_present_and_firmware():
    frame = codec.parse_frame(hx(
        "AA 55 00 32 00 FE 01 00 00 00 00 00 00 00 00 00 06 00 05 41 04 02 00 01 D9 56"))
    assert codec.decode_card_present(frame.data)
    assert codec.decode_firmware(frame.data) == "4.2.0.1"
    assert not codec.decode_card_present(bytes(6))


def test_display_state_read_back():
    state = codec.decode_display_state(hx("FF 02 00"))
    assert state == codec.DisplayState(power=False, test_pattern="red", frozen=False)
    assert codec.decode_display_state(hx("00 00 FF")).test_pattern is None


# --- ACK codes -------------------------------------------------------------------------

@pytest.mark.parametrize("ack,error", [
    (0x01, codec.CardNotAnswering), (0x02, codec.RequestChecksumRejected),
    (0x03, codec.ResponseChecksumRejected), (0x04, codec.InvalidCommand),
])
def test_ack_codes_raise_their_errors_naming_card_and_command(ack, error):
    request = codec.card_info_request(0x40, port=1, card=3)
    with pytest.raises(error) as caught:
        codec.check_ack(codec.response_to(request, ack=ack))
    message = str(caught.value)
    assert "receiving card port 1 index 3" in message and "card info" in message
    assert f"ACK {ack:02X}" in message


def test_ack_02_example_from_the_document():
    raw = hx("AA 55 02 32 00 FE 00 00 00 00 00 00 02 00 00 00 02 00 01 00 8C 56")
    with pytest.raises(codec.RequestChecksumRejected, match="serial cable"):
        codec.check_ack(codec.parse_frame(raw))


def test_error_classes_say_what_is_worth_retrying():
    assert codec.NovaStarTimeout("x").retryable and issubclass(codec.NovaStarTimeout,
                                                                DriverUnavailable)
    assert codec.NovaStarGarbled("x").retryable
    assert not codec.InvalidCommand("x").retryable


# --- commands and their arguments -------------------------------------------------------

@pytest.mark.parametrize("percent,level", [(0, 0), (50, 128), (100, 255), (10, 26), (30, 77)])
def test_brightness_percent_to_level(percent, level):
    assert codec.brightness_request(1, percent).data == bytes([level])


@pytest.mark.parametrize("bad", [-1, 100.5])
def test_brightness_out_of_range_is_refused(bad):
    with pytest.raises(DriverConfigError, match="0..100"):
        codec.brightness_level(bad)


@pytest.mark.parametrize("name,value", [
    ("red", 0x02), ("green", 0x03), ("blue", 0x04), ("white", 0x05), ("horizontal", 0x06),
    ("vertical", 0x07), ("diagonal", 0x08), ("grey", 0x09), ("ageing", 0x0A), (None, 0x00),
    ("gray", 0x09),
])
def test_test_pattern_values(name, value):
    assert codec.pattern_request(1, name).data == bytes([value])


def test_unknown_test_pattern_names_the_choices():
    with pytest.raises(DriverConfigError, match="checkerboard.*red, green"):
        codec.pattern_value("checkerboard")


def test_freeze_frames():
    assert codec.freeze_request(0x80, True).encode() == hx(
        "55 AA 00 80 FE 00 01 FF FF FF 01 00 02 01 00 02 01 00 FF D7 5A")
    assert codec.freeze_request(0x80, False).data == b"\x00"


def test_lock_example_from_the_document_first_card():
    built = codec.freeze_request(0x80, True, port=0, card=0)
    assert built.encode() == hx("55 AA 00 80 FE 00 01 00 00 00 01 00 02 01 00 02 01 00 FF DA 57")


# --- the three misprinted checksums ---------------------------------------------------

MISPRINTED = {
    "p30 read model": "55 AA 00 32 FE 00 00 00 00 00 00 00 02 00 00 00 02 00 87 56",
    "p39 light sensor": "AA 55 00 5B 00 FE 00 00 00 00 00 00 0F 00 00 02 02 00 38 80 7C 57",
    "p50 pattern ack": "AA 55 00 80 00 FE 01 00 00 00 01 00 01 01 00 02 00 00 D7 58",
}


@pytest.mark.parametrize("raw", MISPRINTED.values(), ids=MISPRINTED.keys())
def test_misprinted_examples_are_refused(raw):
    with pytest.raises(codec.NovaStarGarbled):
        codec.parse_frame(hx(raw))
    packetizer = codec.Packetizer(hx(raw)[:2])
    assert packetizer.feed(hx(raw)) == [] and packetizer.rejected == 1


def test_encoder_uses_the_rule_not_the_misprint():
    assert codec.model_request(0x32).encode()[-2:] == hx("89 56")


# --- stream framing and resync --------------------------------------------------------

ACK = hx("AA 55 00 00 FF FE 01 FF FF FF 01 00 01 00 00 02 00 00 54 5A")
DVI = hx("AA 55 00 16 00 FE 00 00 00 00 00 00 17 00 00 02 01 00 01 84 56")


def test_frames_split_across_reads_and_several_in_one():
    packetizer = codec.Packetizer()
    stream = ACK + DVI + ACK
    got = []
    for i in range(0, len(stream), 7):
        got += packetizer.feed(stream[i:i + 7])
    assert [f.serial for f in got] == [0x00, 0x16, 0x00]
    assert packetizer.skipped == 0 and not packetizer.buffer


def test_one_byte_at_a_time():
    packetizer = codec.Packetizer()
    got = [f for b in DVI for f in packetizer.feed(bytes([b]))]
    assert len(got) == 1 and codec.decode_dvi(got[0].data)


def test_garbage_before_a_frame_is_skipped():
    packetizer = codec.Packetizer()
    assert packetizer.feed(hx("00 13 AA 37 55") + DVI)[0].serial == 0x16
    assert packetizer.skipped == 5


def test_false_head_claiming_a_long_frame_does_not_stall_the_stream():
    # A stray AA 55 whose "length" field says 0x0FFF: we must not wait for 4 KB.
    false = hx("AA 55 00 01 00 FE 01 00 00 00 00 00 00 00 00 0A FF 0F")
    packetizer = codec.Packetizer()
    assert [f.serial for f in packetizer.feed(false + DVI)] == [0x16]


def test_bad_checksum_frame_then_good_one():
    bad = bytearray(ACK)
    bad[-2] ^= 0xFF
    packetizer = codec.Packetizer()
    assert [f.serial for f in packetizer.feed(bytes(bad) + DVI)] == [0x16]
    assert packetizer.rejected == 1


def test_head_split_at_the_end_is_kept():
    packetizer = codec.Packetizer()
    assert packetizer.feed(hx("01 02") + DVI[:1]) == []
    assert packetizer.feed(DVI[1:])[0].serial == 0x16


def test_requests_are_framed_by_their_own_head():
    packetizer = codec.Packetizer(codec.REQUEST_HEAD)
    read, write = codec.model_request(1).encode(), codec.kill_request(2, True).encode()
    frames = packetizer.feed(ACK + read + write)  # the ACK is not a request: skipped
    assert [(f.serial, f.data) for f in frames] == [(1, b""), (2, b"\xff")]


def test_rejected_requests_can_be_kept_for_an_ack_02():
    raw = bytearray(codec.kill_request(2, True).encode())
    raw[-1] ^= 1
    frames = codec.Packetizer(codec.REQUEST_HEAD, keep_rejected=True).feed(bytes(raw))
    assert len(frames) == 1 and not frames[0].checksum_ok and frames[0].serial == 2
