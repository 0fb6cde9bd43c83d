"""What must not leak: the database readable by other users, a password after a secret
word in a rejection, absolute paths in answers, a password typed into the name field."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys

from signage.store import Store
from tests.conftest import REPO
from tests.test_api import bearer, client, serve, write_status  # noqa: F401
from tests.test_store import submitted_draft


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_is_0700_and_the_database_and_its_wal_0600(settings, clock):
    old = os.umask(0o022)  # a careless shell
    try:
        store = Store(settings.data_dir, clock)
        store.access.create_token("ops", "admin")
        assert (mode(settings.data_dir), mode(settings.db_path)) == (0o700, 0o600)
        assert mode(settings.db_path.with_name("signage.db-wal")) == 0o600
        store.close()
    finally:
        os.umask(old)


def test_files_the_signage_command_makes_are_for_its_user_only(tmp_path):
    env = dict(os.environ, SIGNAGE_DATA_DIR=str(tmp_path / "data"))
    # `signage import` makes the store (the console's token and user commands need one)
    subprocess.run([sys.executable, "-m", "signage", "import", str(REPO / "playlists")],
                   env=env, cwd=REPO, check=True, capture_output=True, timeout=120)
    subprocess.run([sys.executable, "-m", "signage", "token", "create", "--role", "admin",
                    "--name", "ops"], env=env, cwd=REPO, check=True, capture_output=True,
                   timeout=60)
    made = [path for path in (tmp_path / "data").rglob("*")]
    assert made and {oct(mode(path) & 0o077) for path in made} == {"0o0"}


def test_the_value_after_a_secret_word_in_a_rejection_is_masked(store):
    draft = submitted_draft(store)
    store.revisions.reject(draft, "minh", "wrong slide: it shows the password hunter2hunter2",
                           role="approver")
    assert "hunter2hunter2" not in repr(store.records.audit_log())
    assert "hunter2hunter2" not in store.revisions.get(draft).reason
    assert "password [redacted]" in store.revisions.get(draft).reason


def test_status_names_the_data_dir_by_its_setting_not_its_path(client, store, settings, clock):
    write_status(settings, clock, errors=[{"message": f"cannot write {settings.status_path}"}])
    answer = client.get("/api/status", headers=bearer(store, "technician"))
    assert answer.status_code == 200
    assert str(settings.data_dir.parent) not in answer.text
    assert answer.json()["errors"][0]["message"] == "cannot write $SIGNAGE_RUNTIME_DIR/status.json"
    assert answer.json()["disk"]["path"].startswith("$SIGNAGE_DATA_DIR")


def test_a_password_typed_into_the_name_field_is_not_logged(client, store, caplog):
    store.access.create_user("lan", "editor", "a long enough password")
    with caplog.at_level(logging.INFO):
        client.post("/api/login", json={"name": "Hunter2Hunter2", "password": "x"})
        client.post("/api/login", json={"name": "lan", "password": "wrong one"})
    assert "Hunter2Hunter2" not in caplog.text
    assert "'lan'" in caplog.text
