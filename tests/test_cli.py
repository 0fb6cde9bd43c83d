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
