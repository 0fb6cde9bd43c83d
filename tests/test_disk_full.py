"""A full data disk: clear 507 answers naming the cause, token checks that do not write,
deletes that make room, no temp files left, and an emergency notice that still goes up.

The data dir is on a small tmpfs filled to the last byte (root may mount; skipped with
the reason when not), served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import random
import subprocess

import httpx
import pytest
from PIL import Image

from signage.api import create_app
from signage.store import Store
from tests.test_api import bearer, serve
from tests.test_api_emergency import NOTICE

DISK_MB = 12
RESERVE_MB = 2
DRAFT = "name: lane\nitems:\n  - kind: message\n    text: {vi: Làn mới, en: New lane, zh: 新车道}\n"


@contextlib.contextmanager
def small_disk(mountpoint, size_mb: int):
    mountpoint.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs",
                              str(mountpoint)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=True)


def fill(directory) -> None:
    """Write until the disk refuses: ENOSPC from here on."""
    # Unbuffered: a buffered file would try the refused bytes again when it is closed.
    with open(directory / "filler", "wb", buffering=0) as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 65536)
    with contextlib.suppress(OSError):  # and the last few bytes
        with open(directory / "filler2", "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0")
                handle.flush()


def noisy_png(size=(400, 300)) -> bytes:
    """A picture that does not compress: the store must really find room for it."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def temp_files(root) -> list[str]:
    return [str(p) for p in root.rglob("*.tmp")]


def test_a_full_disk_answers_507_and_keeps_notices_and_deletes_working(tmp_path, clock):
    with small_disk(tmp_path / "disk", DISK_MB) as disk:
        settings = dataclasses.replace(
            _settings(disk), disk_reserve_mb=RESERVE_MB)
        store = Store(settings.data_dir, clock, reserve_bytes=settings.disk_reserve_bytes)
        editor, approver = bearer(store, "editor"), bearer(store, "approver")
        with serve(create_app(settings, clock, store)) as url, httpx.Client(base_url=url) as client:
            spare = client.post("/api/assets", headers=editor,
                                files={"file": ("spare.png", noisy_png(), "image/png")})
            assert spare.status_code == 201, spare.text
            fill(disk)

            listing = client.get("/api/playlists", headers=editor)
            upload = client.post("/api/assets", headers=editor,
                                 files={"file": ("big.png", noisy_png((300, 300)), "image/png")})
            big = client.post("/api/assets", headers=editor,
                              files={"file": ("big.png", noisy_png((900, 900)), "image/png")})
            draft = client.put("/api/playlists/lane", content=DRAFT,
                               headers={**editor, "Content-Type": "application/yaml"})
            notice = client.post("/api/emergency", json=NOTICE, headers=approver)
            deleted = client.delete(f"/api/assets/{spare.json()['id']}", headers=editor)
        store.close()
        leftovers = temp_files(settings.data_dir)

    assert listing.status_code == 200, listing.text  # the token check wrote nothing
    assert upload.status_code == 507 and upload.json()["state"] == "disk full", upload.text
    assert "disk full" in upload.json()["detail"] and "emergency" in upload.json()["detail"]
    assert big.status_code == 507 and big.json()["state"] == "disk full", big.text  # spooled
    assert draft.status_code == 507 and draft.json()["state"] == "disk full", draft.text
    assert notice.status_code == 201, notice.text
    assert deleted.status_code in (200, 204), deleted.text
    assert leftovers == []


def test_a_failed_asset_write_leaves_no_temp_file(tmp_path):
    from signage.store.assets import write_durably

    with small_disk(tmp_path / "disk", 2) as disk:
        fill(disk)
        os.unlink(disk / "filler2")  # a few bytes free: the write starts, then fails
        with pytest.raises(OSError):
            write_durably(disk / "assets" / "ab" / "abcd", noisy_png((200, 200)))
        assert temp_files(disk) == []


def _settings(disk):
    from signage.settings import Settings

    return Settings(data_dir=disk / "data", runtime_dir=disk / "run")
