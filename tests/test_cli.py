"""The `signage` command's own behaviour: tokens, and refusing bad options early."""

from signage.cli import main
from signage.store import Store


def test_run_refuses_a_wrong_driver_url_before_starting_anything(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    assert main(["run", "--driver", "bogus://x"]) == 1
    assert "unknown driver 'bogus'" in capsys.readouterr().err
    assert not (tmp_path / "run" / "supervisor.json").exists()


def test_token_create_prints_it_once_and_list_never_shows_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    assert main(["token", "list"]) == 0
    assert "no tokens" in capsys.readouterr().err
    assert main(["token", "create", "--role", "admin", "--name", "ops"]) == 0
    token = capsys.readouterr().out.strip()
    assert Store(tmp_path).verify_token(token).name == "ops"
    assert main(["token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ops\tadmin\tlive" in listing and token not in listing
    assert main(["token", "create", "--role", "admin", "--name", "ops"]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["token", "revoke", "--name", "ops"]) == 0
    assert Store(tmp_path).verify_token(token) is None


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
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    assert main(["schedule", "--date", "2027-02-06"]) == 1
    assert "no schedule is published" in capsys.readouterr().err
