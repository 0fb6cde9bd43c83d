"""`signage emergency` at the box's console: post, list and cancel without an API token,
through the same door as the API, into the same store, audited as console:<NAME>."""

from __future__ import annotations

import datetime as dt
import json

import pygame
import pytest

from signage.cli import emergency as cli_emergency
from signage.cli.main import main
from signage.clock import FakeClock
from signage.player.status import status_document
from signage.services.importer import IMPORT_ROLE
from signage.store import Store
from tests.conftest import emulated_panel, player_on

NOW = dt.datetime(2027, 3, 10, 7, 0, tzinfo=dt.timezone.utc)  # 14:00 at the gate
TEXT = ["--vi", "Cửa khẩu tạm đóng do sạt lở", "--en", "Gate closed: landslide",
        "--zh", "口岸因山体滑坡暂时关闭"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def store(settings, clock, monkeypatch):
    """The player's store; the commands find it through SIGNAGE_DATA_DIR and share the clock."""
    store = Store(settings.data_dir, clock)
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SIGNAGE_RUNTIME_DIR", str(settings.runtime_dir))
    monkeypatch.setattr(cli_emergency, "make_clock", lambda: clock)
    yield store
    store.close()


def post(*flags: str) -> int:
    return main(["emergency", "post", *flags])


def console_entries(store) -> list[tuple]:
    return [(e.actor, e.role, e.action, e.target) for e in store.records.audit_log()
            if e.action.startswith("emergency.")]


def test_post_from_flags_stores_the_notice_and_says_when_it_ends(store, clock, capsys):
    assert post(*TEXT, "--duration", "2h", "--by", "tuan") == 0
    out, err = capsys.readouterr()
    [notice] = store.desired.emergencies(current_at=clock.now())
    assert notice.message.zh == "口岸因山体滑坡暂时关闭" and notice.priority == 100
    assert (notice.starts_at, notice.expires_at) == (NOW, NOW + dt.timedelta(hours=2))
    assert notice.created_by == "console:tuan"
    assert f"emergency notice {notice.id} stored" in out
    assert "2027-03-10 14:00:00+07:00 (Asia/Ho_Chi_Minh)  =  2027-03-10 07:00:00 UTC" in out
    assert "2027-03-10 16:00:00+07:00 (Asia/Ho_Chi_Minh)  =  2027-03-10 09:00:00 UTC" in out
    assert "on the panel within a second" in out
    assert f"signage emergency cancel {notice.id}" in out
    assert "warning: the player has not written" in err  # no player runs in this test


def test_post_from_a_yaml_file_with_a_later_start(store, clock, capsys, tmp_path):
    source = tmp_path / "notice.yaml"
    source.write_text("text: {vi: Đóng cửa, en: Closed, zh: 关闭}\n"
                      "starts_at: 2027-03-10T18:00:00+07:00\nduration: 30m\npriority: 500\n",
                      encoding="utf-8")
    assert post("--file", str(source), "--by", "lan") == 0
    [notice] = store.desired.emergencies()
    assert notice.priority == 500 and notice.starts_at == NOW + dt.timedelta(hours=4)
    assert not notice.active(clock.now())
    assert "on the panel from its start" in capsys.readouterr().out


def amber_pixels(frame: bytes) -> int:
    """Pixels in the emergency text's amber (#ffd200), which nothing else on the panel uses."""
    return sum(1 for i in range(0, len(frame), 3)
               if frame[i] > 200 and 160 < frame[i + 1] < 230 and frame[i + 2] < 80)


WELCOME = {"name": "welcome", "items": [{"kind": "message", "text": {
    "vi": "Chào mừng", "en": "Welcome", "zh": "欢迎"}}]}


@pytest.mark.parametrize("published", [True, False], ids=["playlist", "nothing-published"])
def test_a_posted_notice_takes_the_panel_and_cancel_gives_it_back(settings, store, clock,
                                                                   fonts, capsys, published):
    from signage.content.models import Playlist

    if published:
        store.content.publish_playlist(Playlist.model_validate(WELCOME), "test")
    panel = emulated_panel((192, 96))
    player = player_on(settings, store, clock, panel, fonts)

    def run(seconds: float, fps: int = 20) -> bytes:
        for _ in range(round(seconds * fps)):
            player.step()
            clock.advance(1 / fps)
        return pygame.image.tobytes(panel.last_frame(), "RGB")

    assert amber_pixels(run(2)) == 0
    assert post(*TEXT, "--duration", "10m") == 0
    assert "warning" not in capsys.readouterr().err  # this player is alive
    assert amber_pixels(run(1)) > 200  # within a second: the notice's text is on the wall
    assert status_document(player, clock.monotonic())["state"] == "emergency"
    assert main(["emergency", "cancel", str(store.desired.emergencies()[0].id)]) == 0
    assert "the schedule gets the panel" in capsys.readouterr().out
    assert amber_pixels(run(1)) == 0
    assert status_document(player, clock.monotonic())["playlist"] != "emergency"


def test_list_marks_the_notice_showing_and_the_one_it_outranks(store, clock, capsys):
    assert post(*TEXT, "--duration", "2h", "--priority", "500") == 0
    rain = ["--vi", "Mưa lớn", "--en", "Heavy rain", "--zh", "大雨"]
    assert post(*rain, "--duration", "1h") == 0
    capsys.readouterr()
    assert main(["emergency", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [[" 2", "outranked"], ["*1", "SHOWING"]]
    assert "2027-03-10 14:00 -> 2027-03-10 16:00 +0700" in lines[1]
    assert main(["emergency", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["showing"] == 1
    assert [(e["id"], e["active"]) for e in listing["emergencies"]] == [(2, True), (1, True)]


def test_list_with_no_notices_says_how_to_post_one(store, capsys):
    assert main(["emergency", "list"]) == 0
    assert "signage emergency post" in capsys.readouterr().err


def test_cancel_ends_it_now_and_says_who_did(store, clock, capsys):
    assert post(*TEXT, "--duration", "2h") == 0
    clock.advance(600)
    assert main(["emergency", "cancel", "1", "--by", "minh"]) == 0
    assert store.desired.emergencies(current_at=clock.now()) == []
    [notice] = store.desired.emergencies()
    assert (notice.cancelled_at, notice.cancelled_by) == (clock.now(), "console:minh")
    capsys.readouterr()
    assert main(["emergency", "list"]) == 0
    assert "\tcancelled by console:minh\t" in capsys.readouterr().out
    assert main(["emergency", "cancel", "1"]) == 0  # again: nothing changes, nothing logged
    assert "already cancelled by console:minh" in capsys.readouterr().out
    actions = [entry[2] for entry in console_entries(store)]
    assert actions == ["emergency.create", "emergency.cancel"]


def test_cancel_of_an_unknown_id_is_an_error(store, capsys):
    assert main(["emergency", "cancel", "999"]) == 1
    assert "no emergency notice has id 999; see the ids with: signage emergency list" in (
        capsys.readouterr().err)
    assert console_entries(store) == []


REFUSALS = {
    "missing-language": ([*TEXT[:4], "--duration", "2h"],
                         ["--zh: is required: every notice is shown in Vietnamese, English and "
                          "Chinese; give the Chinese text with --zh TEXT"]),
    "past-until": ([*TEXT, "--until", "2027-03-10T13:00+07:00"],
                   ["--until: the end time is already past; give a later time or a duration"]),
    "duration-and-until": ([*TEXT, "--duration", "2h", "--until", "2027-03-10T18:00+07:00"],
                           ["--duration/--until: give one of them, not both"]),
    "no-end": (TEXT, ["--duration/--until: give --duration (e.g. 2h) or --until TIME"]),
    "until-without-zone": ([*TEXT, "--until", "2027-03-10T18:00"],
                           ["--until: Input should have timezone info; write e.g. "
                            "2027-03-10T18:00+07:00"]),
    "too-long": ([*TEXT, "--duration", "25h"],
                 ["--duration: must be between 0.5s and 24h (got 90000s); for up to 7 days "
                  "give --until TIME instead"]),
    "bad-priority": ([*TEXT, "--duration", "2h", "--priority", "0"],
                     ["--priority: Input should be greater than or equal to 1"]),
    "empty-text": (["--vi", " ", *TEXT[2:], "--duration", "2h"],
                   ["--vi: must not be empty"]),
    "control-character": (["--vi", "Đóng\u202e", *TEXT[2:], "--duration", "2h"],
                          ["--vi: contains the control character U+202E; remove it"]),
    "empty-name": ([*TEXT, "--duration", "2h", "--by", " "],
                   ["--by: give a name of 1 to 64 printable characters"]),
    "file-and-flags": (["--file", "notice.yaml", "--zh", "关闭"],
                       ["--file: give the notice as a file or as flags, not both; move --zh"]),
}


@pytest.mark.parametrize("flags,expected", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_bad_notice_is_refused_field_by_field_and_nothing_is_stored(store, capsys, flags,
                                                                      expected):
    assert post(*flags) == 1
    lines = capsys.readouterr().err.splitlines()
    for want, line in zip(expected, lines):
        assert line.startswith(want), lines
    assert lines[-1] == "error: the emergency notice was not stored; nothing is shown"
    assert len(lines) == len(expected) + 1, lines
    assert store.desired.emergencies() == [] and console_entries(store) == []


def test_a_bad_file_is_refused_with_its_line(store, capsys, tmp_path):
    source = tmp_path / "notice.yaml"
    source.write_text("text: {vi: Đóng, en: Closed}\nduration: 1h\ncolour: red\n",
                      encoding="utf-8")
    assert post("--file", str(source)) == 1
    err = capsys.readouterr().err
    assert f"{source}:1: text.zh: is required" in err
    assert f"{source}:3: colour: is not a known field; check its spelling" in err
    assert post("--file", str(tmp_path / "missing.yaml")) == 1
    assert "(document): cannot read the file" in capsys.readouterr().err
    assert store.desired.emergencies() == []


def test_the_console_and_the_api_refuse_and_accept_the_same_texts(settings, store, clock):
    """One door: no glyph check for notices in the API (an emoji or a private-use character
    is stored there), so none here either; whatever one refuses, so does the other."""
    from signage.api import create_app
    import httpx
    from tests.test_api import bearer, serve

    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    texts = ["Đóng cửa 🚧", "Đóng \ue000", "Đóng\u0007", "x" * 5000]
    with serve(create_app(settings, clock, store)) as url, httpx.Client(
            base_url=url, trust_env=False, timeout=10) as client:
        auth = bearer(store, "approver")
        for vi in texts:
            body = {"text": {"vi": vi, "en": "Closed", "zh": "关闭"}, "duration": "1h"}
            api = client.post("/api/emergency", json=body, headers=auth).status_code
            console = post("--vi", vi, "--en", "Closed", "--zh", "关闭", "--duration", "1h")
            assert (api, console) in ((201, 0), (422, 1)), (vi, api, console)
    stored = [e.message.vi for e in store.desired.emergencies()]
    assert sorted(stored) == sorted(["Đóng cửa 🚧", "Đóng \ue000"] * 2)


def test_the_audit_log_names_the_console_user(store, monkeypatch):
    def no_terminal():
        raise OSError("no controlling terminal")

    monkeypatch.setattr("os.getlogin", no_terminal)
    monkeypatch.setattr("getpass.getuser", lambda: "duty")
    assert post(*TEXT, "--duration", "2h") == 0
    assert main(["emergency", "cancel", "1", "--by", "tuan"]) == 0
    assert console_entries(store) == [("console:duty", "cli", "emergency.create", "emergency 1"),
                                      ("console:tuan", "cli", "emergency.cancel", "emergency 1")]
    assert cli_emergency.CONSOLE_ROLE == IMPORT_ROLE  # one role for every console action
    assert store.desired.emergencies()[0].created_by == "console:duty"


def test_a_data_dir_without_a_store_is_named_and_left_alone(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "elsewhere"
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(empty))
    monkeypatch.setattr(cli_emergency, "make_clock", lambda: FakeClock(NOW))
    for argv in (["post", *TEXT, "--duration", "2h"], ["list"], ["cancel", "1"]):
        assert main(["emergency", *argv]) == 1
        err = capsys.readouterr().err
        assert f"no store in {empty}" in err and "SIGNAGE_DATA_DIR" in err
    assert not empty.exists()  # a notice in a fresh store would never reach the wall


def test_a_damaged_store_is_an_error_naming_the_data_dir(tmp_path, monkeypatch, capsys):
    (tmp_path / "signage.db").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    assert main(["emergency", "list"]) == 1
    err = capsys.readouterr().err
    assert "store damaged" in err and str(tmp_path) in err and "backup" in err
