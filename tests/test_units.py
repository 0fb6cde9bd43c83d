"""The systemd units are hardened and valid, as systemd's own tools judge them.

`systemd-analyze security --offline=yes` scores a unit file without a running systemd;
`systemd-analyze verify` checks it (with ExecStart pointed at this checkout's command,
since /opt/signage is where production installs it). scripts/install-system-packages.sh
installs systemd, so these run wherever `make test` does; elsewhere they skip saying why."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

UNITS = REPO / "systemd"
INSTALLED_COMMAND = "/opt/signage/.venv/bin/signage"
MAX_EXPOSURE = {"signage-api.service": 2.5, "signage-player.service": 3.5}

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                reason="systemd-analyze is not installed (package systemd)")


def exposure(unit: Path) -> float:
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)],
                            capture_output=True, text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert found, result.stdout + result.stderr
    return float(found.group(1))


@pytest.mark.parametrize("name", sorted(MAX_EXPOSURE))
def test_each_unit_scores_no_more_than_its_exposure_budget(name):
    assert exposure(UNITS / name) <= MAX_EXPOSURE[name]


def test_the_units_verify_clean(tmp_path):
    command = Path(sys.executable).parent / "signage"
    for name in MAX_EXPOSURE:
        text = (UNITS / name).read_text()
        assert INSTALLED_COMMAND in text
        (tmp_path / name).write_text(text.replace(INSTALLED_COMMAND, str(command)))
    result = subprocess.run(["systemd-analyze", "verify", *map(str, sorted(tmp_path.iterdir()))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_files_the_services_make_are_private_and_the_player_reaches_its_devices():
    api, player = ((UNITS / name).read_text() for name in sorted(MAX_EXPOSURE))
    for text in (api, player):
        assert "UMask=0077" in text and "StateDirectoryMode=0700" in text
    allowed = set(re.findall(r"^DeviceAllow=(\S+) rw$", player, re.MULTILINE))
    assert {"char-drm", "/dev/fb0", "char-ttyUSB", "char-ttyACM", "char-tty"} <= allowed
    assert "PrivateDevices=yes" not in player and "/tmp/.X11-unix" in player
