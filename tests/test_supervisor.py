"""`signage run`'s children see the same settings: the API must know the panel it serves."""

import sys

from signage.clock import FakeClock
from signage.settings import Settings
from signage.cli.supervisor import Child, Supervisor

TELLS_ITS_SETTINGS = """
import os, sys
with open(sys.argv[1], "w") as out:
    out.write(os.environ["SIGNAGE_DRIVER"] + " " + os.environ["SIGNAGE_DATA_DIR"])
"""


def test_every_child_gets_the_driver_and_the_data_dir(tmp_path):
    told = tmp_path / "told.txt"
    settings = Settings(tmp_path / "data", tmp_path / "run", driver="emulated://384x192")
    child = Child("api", [sys.executable, "-c", TELLS_ITS_SETTINGS, str(told)])
    supervisor = Supervisor([child], settings, FakeClock())
    supervisor.check(child, 0.0)
    child.process.wait(timeout=30)
    assert told.read_text() == f"emulated://384x192 {tmp_path / 'data'}"
    supervisor.shutdown()
