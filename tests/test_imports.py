"""The design's one-way arrows: drivers never import signage; only drivers import serial;
only the renderer, the player and the drivers import pygame."""

import ast
from pathlib import Path

from tests.conftest import REPO

PYGAME_ALLOWED = ("drivers/", "signage/render/", "signage/player.py", "signage/snapshot.py",
                  "signage/preview.py", "signage/bench", "signage/proof.py")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources():
    for package in ("signage", "drivers"):
        for path in sorted((REPO / package).rglob("*.py")):
            yield path.relative_to(REPO).as_posix(), imported_modules(path)


def test_drivers_never_import_signage():
    offenders = [name for name, mods in sources() if name.startswith("drivers/") and "signage" in mods]
    assert offenders == []


def test_only_drivers_import_serial():
    offenders = [name for name, mods in sources() if "serial" in mods and not name.startswith("drivers/")]
    assert offenders == []


def test_pygame_stays_in_the_rendering_and_driver_layers():
    offenders = [name for name, mods in sources()
                 if "pygame" in mods and not name.startswith(PYGAME_ALLOWED)]
    assert offenders == []


def test_the_walker_sees_real_imports(tmp_path):
    """Guard the guard: a file that imports signage from drivers must be caught."""
    sample = tmp_path / "bad.py"
    sample.write_text("import os\nfrom signage.store.database import Store\nimport serial.tools\n")
    assert {"os", "signage", "serial"} <= imported_modules(sample)
