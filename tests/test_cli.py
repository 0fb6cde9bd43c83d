"""The `signage` command's own behaviour: tokens, people, and refusing bad options early."""

import io

import pytest

from signage.cli.main import main
from signage.store import Store


def existing_store(data_dir, monkeypatch) -> None:
    """A data dir whose store the player has already made, and the CLI pointed at it."""
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(data_dir))
    Store(data_dir).close()


@pytest.mark.parametrize("command", [
    ["token", "create", "--role", "editor", "--name", "ci"], ["token", "list"],
    ["user", "list"], ["schedule", "--date", "2027-02-06"],
    ["emergency", "list"],
], ids=["token-create", "token-list", "user-list", "schedule", "emergency-list"])
def test_commands_on_the_wall_refuse_a_folder_with_no_store(tmp_path, capsys, monkeypatch, command):
    """Run in the wrong folder, they would make an empty store the wall never reads."""
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path / "elsewhere"))
    assert main(command) == 1
    err = capsys.readouterr().err
    assert f"no store in {tmp_path / 'elsewhere'}" in err and "SIGNAGE_DATA_DIR" in err
    assert not (tmp_path / "elsewhere" / "signage.db").exists()


def test_run_refuses_a_wrong_driver_url_before_starting_anything(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    assert main(["run", "--driver", "bogus://x"]) == 1
    assert "unknown driver 'bogus'" in capsys.readouterr().err
    assert not (tmp_path / "run" / "supervisor.json").exists()


def test_token_create_prints_it_once_and_list_never_shows_it(tmp_path, capsys, monkeypatch):
    existing_store(tmp_path, monkeypatch)
    assert main(["token", "list"]) == 0
    assert "no tokens" in capsys.readouterr().err
    assert main(["token", "create", "--role", "admin", "--name", "ops"]) == 0
    token = capsys.readouterr().out.strip()
    assert Store(tmp_path).access.verify_token(token).name == "ops"
    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ops\tadmin\tlive" in listing and token not in listing
    assert main(["token", "create", "--role", "admin", "--name", "ops"]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["token", "revoke", "--name", "ops"]) == 0
    assert Store(tmp_path).access.verify_token(token) is None


def test_schedule_prints_the_day_and_draws_the_week(tmp_path, capsys):
    from PIL import Image

    from tests.conftest import SAMPLES

    out = tmp_path / "week.png"
    assert main(["schedule", "--file", str(SAMPLES / "schedule.yaml"), "--date", "2027-02-06",
                 "--png", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("T7 06/02/2027")
    rows = [line.split() for line in lines if line[:2].isdigit()]
    assert rows[0][:3] == ["00:00", "01:00", "night"]
    assert ["01:00", "05:00", "night", "night", "OFF", "-"] in rows  # power-off hours
    assert any(row[:3] == ["06:00", "22:00", "tet"] for row in rows)  # Tết, all day
    assert Image.open(out).size[0] > 1000


def test_schedule_from_the_store_says_how_to_publish_one(tmp_path, capsys, monkeypatch):
    existing_store(tmp_path, monkeypatch)
    assert main(["schedule", "--date", "2027-02-06"]) == 1
    assert "no schedule is published" in capsys.readouterr().err


def test_token_create_accepts_every_role(tmp_path, capsys, monkeypatch):
    existing_store(tmp_path, monkeypatch)
    for role in ("editor", "approver", "technician", "admin"):
        assert main(["token", "create", "--role", role, "--name", f"ci-{role}"]) == 0
        token = capsys.readouterr().out.strip()
        assert Store(tmp_path).access.verify_credential(token).role == role


class Piped(io.StringIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_user_create_reads_the_password_from_piped_stdin(tmp_path, capsys, monkeypatch):
    existing_store(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", Piped("cửa khẩu thanh thủy\nignored\n"))
    assert main(["user", "list"]) == 0
    assert "signage user create --role admin" in capsys.readouterr().err

    assert main(["user", "create", "--role", "admin", "--name", "lan"]) == 0

    assert "'lan' (admin) made" in capsys.readouterr().err
    assert Store(tmp_path).access.login("lan", "cửa khẩu thanh thủy") is not None
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("lan\tadmin\tactive\tcreated ") and "scrypt" not in listing


def test_user_create_asks_twice_on_a_terminal_and_refuses_a_mismatch(tmp_path, capsys,
                                                                     monkeypatch):
    existing_store(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter(["first passphrase", "second passphrase", "same passphrase", "same passphrase"])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(answers))

    assert main(["user", "create", "--role", "editor", "--name", "minh"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert Store(tmp_path).access.users() == []
    assert main(["user", "create", "--role", "editor", "--name", "minh"]) == 0
    assert prompts == ["password: ", "again: "] * 2
    assert Store(tmp_path).access.login("minh", "same passphrase") is not None


def test_user_create_refuses_a_short_password_and_takes_none_as_an_argument(tmp_path, capsys,
                                                                            monkeypatch):
    existing_store(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", Piped("short\n"))
    assert main(["user", "create", "--role", "editor", "--name", "minh"]) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["user", "create", "--role", "editor", "--name", "minh", "--password", "x" * 20])
    assert Store(tmp_path).access.users() == []


def test_user_disable_stops_logins_and_ends_sessions(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    store = Store(tmp_path)
    store.access.create_user("hoa", "approver", "mật khẩu dài đủ rồi")
    token, _ = store.access.login("hoa", "mật khẩu dài đủ rồi")

    assert main(["user", "disable", "--name", "hoa"]) == 0

    assert "'hoa' disabled" in capsys.readouterr().out
    assert store.access.verify_credential(token) is None
    assert store.access.login("hoa", "mật khẩu dài đủ rồi") is None
    assert main(["user", "disable", "--name", "hoa"]) == 1
    assert "no active user" in capsys.readouterr().err
