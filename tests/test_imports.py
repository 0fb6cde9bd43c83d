"""The house's one-way arrows (DESIGN.md, "The house"), checked on every import in the tree.

Packages are ranked from the top (`cli`) to the bottom (`content`); a module may import its
own package and those below it, never those above. Pure packages import no device, database
or web library; `drivers` never imports `signage`; the web faces never import the player or
a device. Each failure names the file and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

ORDER = ["cli", "devtools", "console", "api", "services", "player", "media", "render",
         "store", "schedule", "content"]
TOP_LEVEL = {"clock", "settings", "errors"}  # shared by every package
PURE = {"content", "schedule"}
IMPURE_LIBRARIES = {"pygame", "sqlite3", "fastapi", "starlette", "serial", "av"}
PYGAME_ALLOWED = ("drivers/", "signage/render/", "signage/player/", "signage/services/preview.py",
                  "signage/devtools/")
WEB_FACES = {"api", "console"}
WEB_MAY_IMPORT_FROM_DRIVERS = {"drivers", "drivers.registry"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every absolute import in a file, names of `from` included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from signage import store` imports the package signage.store
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if node.module in ("signage", "drivers")]
    return found


def package_of(module: str) -> str | None:
    """The house package of a dotted signage module: 'signage.store.access' -> 'store'."""
    parts = module.split(".")
    if parts[0] != "signage" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ORDER or parts[1] in TOP_LEVEL else None


def sources():
    for root in ("signage", "drivers"):
        for path in sorted((REPO / root).rglob("*.py")):
            yield path.relative_to(REPO).as_posix(), imports_of(path)


def violations_in(name: str, imports: list[tuple[int, str]]) -> list[str]:
    found = []
    here = package_of(name.removesuffix(".py").replace("/", "."))
    for line, module in imports:
        where = f"{name}:{line}: imports {module}"
        top = module.split(".")[0]
        if name.startswith("drivers/"):
            if top == "signage":
                found.append(f"{where} (drivers never import signage)")
            continue
        if top == "serial":
            found.append(f"{where} (only drivers talk to serial ports)")
        if top == "pygame" and not name.startswith(PYGAME_ALLOWED):
            found.append(f"{where} (pygame stays in render, player and drivers)")
        if here in PURE and top in IMPURE_LIBRARIES:
            found.append(f"{where} ({here} is pure)")
        if here in TOP_LEVEL and package_of(module) in ORDER:
            found.append(f"{where} (top-level modules import no package)")
        if here in WEB_FACES:
            if package_of(module) == "player":
                found.append(f"{where} ({here} talks to the player only through the store)")
            if top == "drivers" and module not in WEB_MAY_IMPORT_FROM_DRIVERS:
                found.append(f"{where} ({here} may use only drivers.registry's facts)")
        target = package_of(module)
        if here in ORDER and target in ORDER and ORDER.index(target) < ORDER.index(here):
            found.append(f"{where} ({here} is below {target}: imports point down)")
    return found


def test_every_import_points_down_the_house():
    found = [v for name, imports in sources() for v in violations_in(name, imports)]
    assert found == [], "\n".join(found)


def test_every_package_says_what_it_owns_and_may_import():
    for package in ORDER:
        doc = ast.get_docstring(ast.parse((REPO / "signage" / package / "__init__.py").read_text()))
        assert doc and "import" in doc, f"signage/{package}/__init__.py needs its docstring"


@pytest.mark.parametrize("name, source, expected", [
    ("drivers/x.py", "from signage.store import Store", "drivers never import signage"),
    ("signage/store/x.py", "from signage.api import deps", "store is below api"),
    ("signage/schedule/x.py", "import sqlite3", "schedule is pure"),
    ("signage/content/x.py", "import pygame", "pygame stays"),
    ("signage/api/x.py", "from signage.player.loop import Player", "only through the store"),
    ("signage/console/x.py", "from drivers.hdmi import HdmiDriver", "only drivers.registry"),
    ("signage/schedule/x.py", "from signage import store", "schedule is below store"),
    ("signage/cli/x.py", "import serial", "only drivers talk"),
], ids=["drivers", "upward", "pure-sqlite", "pure-pygame", "api-player", "console-device",
        "from-signage-import", "serial"])
def test_the_walker_names_the_file_and_the_import(tmp_path, name, source, expected):
    """Guard the guard: each kind of wrong arrow is caught and named."""
    sample = tmp_path / "sample.py"
    sample.write_text(source + "\n")
    found = violations_in(name, imports_of(sample))
    assert found and all(f.startswith(f"{name}:1: imports ") for f in found)
    assert any(expected in f for f in found), found


def test_a_right_arrow_is_not_flagged(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from signage.store.database import Store\nfrom signage.content import models\n"
                      "import pygame\nfrom drivers.registry import family_for\n")
    assert violations_in("signage/player/x.py", imports_of(sample)) == []
