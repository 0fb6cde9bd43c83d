"""Vendored browser libraries (axe-core): only a tarball matching its pinned sha512 is
unpacked, only the one file is kept, and a vendored file is never fetched again."""

from __future__ import annotations

import dataclasses
import io
import re
import tarfile
from pathlib import Path

import pytest

from signage.devtools import browserlibs
from signage.devtools.browserlibs import Pin, install_from, integrity_of

SCRIPT = b"/*! a tiny library */ window.tiny = 1;"


def tarball(path: Path, members: dict[str, bytes], link: str | None = None) -> bytes:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            archive.addfile(info)
    return path.read_bytes()


def test_the_pinned_axe_is_vendored():
    reason = browserlibs.missing("axe")
    assert reason is None, reason
    head = browserlibs.path_of("axe").read_bytes()[:40]
    assert head.startswith(f"/*! axe v{browserlibs.PINS['axe'].version}".encode()), head


def test_a_tarball_matching_its_pin_gives_its_one_file(tmp_path):
    data = tarball(tmp_path / "tiny.tgz", {"package/tiny.js": SCRIPT,
                                           "package/package.json": b"{}"})
    pin = Pin("tiny", "1.0.0", integrity_of(data), "package/tiny.js")
    target = tmp_path / "libs" / "tiny@1.0.0" / "tiny.js"

    install_from(tmp_path / "tiny.tgz", pin, target)

    assert target.read_bytes() == SCRIPT
    assert sorted(p.name for p in target.parent.iterdir()) == ["tiny.js"]


def test_a_tarball_not_matching_its_pin_is_refused_and_nothing_is_written(tmp_path):
    data = tarball(tmp_path / "tiny.tgz", {"package/tiny.js": SCRIPT})
    other = integrity_of(data + b"x")
    pin = Pin("tiny", "1.0.0", other, "package/tiny.js")
    target = tmp_path / "libs" / "tiny.js"

    said = f"has integrity {re.escape(integrity_of(data))}.*{re.escape(other)}"
    with pytest.raises(SystemExit, match=said):
        install_from(tmp_path / "tiny.tgz", pin, target)
    assert not target.parent.exists()


def test_a_link_in_place_of_the_file_is_refused(tmp_path):
    data = tarball(tmp_path / "tiny.tgz", {}, link="package/tiny.js")
    pin = Pin("tiny", "1.0.0", integrity_of(data), "package/tiny.js")

    with pytest.raises(SystemExit, match="not a regular file"):
        install_from(tmp_path / "tiny.tgz", pin, tmp_path / "tiny.js")
    assert not (tmp_path / "tiny.js").exists()


def test_a_vendored_file_is_not_fetched_again_and_a_missing_one_needs_npm(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))
    pin = browserlibs.PINS["axe"]
    present = tmp_path / "present" / pin.spec / "axe.min.js"
    present.parent.mkdir(parents=True)
    present.write_bytes(SCRIPT)

    assert browserlibs.vendor("axe", tmp_path / "present") == present
    assert present.read_bytes() == SCRIPT
    with pytest.raises(SystemExit, match="npm is needed to fetch axe-core@"):
        browserlibs.vendor("axe", tmp_path / "absent")


def test_a_new_version_is_a_new_folder(tmp_path, monkeypatch):
    newer = dataclasses.replace(browserlibs.PINS["axe"], version="99.0.0")
    monkeypatch.setitem(browserlibs.PINS, "axe", newer)

    assert browserlibs.path_of("axe", tmp_path) == tmp_path / "axe-core@99.0.0" / "axe.min.js"
    assert "axe-core@99.0.0 is not vendored" in browserlibs.missing("axe", tmp_path)
