"""A damaged or read-only store is loud and the wall keeps the last good content.

Real SQLite files damaged as a power cut or a worn SD card damages them (0 bytes, cut in
half), a data dir on a read-only mount (root is not stopped by chmod, so a read-only bind
mount when we may mount; skipped with the reason when not), a real HTTP server on
127.0.0.1, and the player on an emulated panel driven by a FakeClock."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import time

import httpx
import pytest
from PIL import Image

from signage.api import create_app
from signage.content.models import Playlist
from signage.errors import StoreDamaged, StoreReadOnly
from signage.render.compositor import CROSSFADE_S
from signage.store import Store
from signage.store.slot import REOPEN_EVERY_S
from tests.conftest import add_image, emulated_panel
from tests.test_api import bearer, serve
from tests.test_player import SIZE, message, pixels, play

HOW_TO = "backup"


def publish_with_image(store: Store) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 30, 30)).save(buffer, "PNG")
    ref = add_image(store, buffer.getvalue())
    items = [{"kind": "image", "asset": ref, "duration": "30s"}, message("Còn giữ", "30s")]
    store.content.publish_playlist(Playlist.model_validate({"name": "main", "items": items}), "t")
    return items[0]


def half(path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def empty(path) -> None:
    path.write_bytes(b"")


DAMAGE = {"zero bytes": empty, "cut in half": half}


def filled_store(settings, clock) -> None:
    store = Store(settings.data_dir, clock)
    publish_with_image(store)
    store.access.create_token("kiosk", "technician")
    for n in range(300):  # enough pages that half the file loses some
        store.records.audit("t", "admin", "test", f"line {n}", detail={"n": "x" * 200})
    store.database.query("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_database_is_never_replaced_by_an_empty_one(settings, clock, damage):
    filled_store(settings, clock)
    DAMAGE[damage](settings.db_path)
    before = settings.db_path.read_bytes()

    for _ in range(2):  # the API and the player both try, and try again
        with pytest.raises(StoreDamaged, match="store damaged") as damaged:
            Store(settings.data_dir, clock)
        assert HOW_TO in str(damaged.value)
    assert settings.db_path.read_bytes() == before


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_health_and_status_say_store_damaged_and_what_to_do(settings, clock, damage):
    filled_store(settings, clock)
    token = {"Authorization": f"Bearer {make_token(settings, clock)}"}
    backup = settings.db_path.read_bytes()
    DAMAGE[damage](settings.db_path)

    with serve(create_app(settings, clock)) as url, httpx.Client(base_url=url) as client:
        health = client.get("/api/health")
        status = client.get("/api/status", headers=token)
        settings.db_path.write_bytes(backup)  # the technician restores the backup
        clock.advance(REOPEN_EVERY_S)
        restored = client.get("/api/playlists", headers=token)

    assert health.status_code == 503
    assert health.json()["state"] == "store damaged"
    assert HOW_TO in health.json()["store"]["action"]
    assert status.status_code == 503 and status.json()["state"] == "store damaged"
    assert HOW_TO in status.json()["detail"]
    assert restored.status_code == 200 and restored.json()


def make_token(settings, clock) -> str:
    store = Store(settings.data_dir, clock)
    try:
        return bearer(store, "technician", "ops")["Authorization"].split()[1]
    finally:
        store.close()


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_the_player_plays_the_last_good_content_when_the_store_is_damaged(settings, clock, fonts,
                                                                          damage):
    from signage.player.loop import build_player

    store = Store(settings.data_dir, clock)
    image = publish_with_image(store)
    store.close()
    first = player_of(build_player, settings, clock)
    loaded(first)
    play(first, clock, 1)
    first.proof.write_later(lambda: None).result(timeout=10)  # its copy is written
    expected_frame = pixels(first.compositor.item_surface(
        Playlist.model_validate({"name": "x", "items": [image]}).items[0]))
    assert pixels(first.driver.last_frame()) == expected_frame
    first.compositor.close()

    DAMAGE[damage](settings.db_path)
    (settings.assets_dir).rename(settings.data_dir / "assets-lost")  # the copy has its own
    again = player_of(build_player, settings, clock)
    loaded(again)
    play(again, clock, CROSSFADE_S + 0.5)

    assert pixels(again.driver.last_frame()) == expected_frame
    assert any("last good content" in e["message"] for e in again.errors)
    assert any("store damaged" in e["message"] for e in again.errors)
    again.compositor.close()


def loaded(player) -> None:
    """One frame (the player asks for its content), then until that content's pictures are
    loaded by the background worker. The fake clock stands still meanwhile: on a busy
    machine the worker took longer than the player's 1 s (of fake time) of patience, and
    the test saw the item drawn without its picture."""
    player.step()
    deadline = time.monotonic() + 10
    while player.pending is not None and not player.pending[1].ready(0.0):
        assert time.monotonic() < deadline, "the content's pictures did not load in 10 s"
        time.sleep(0.005)  # polling for the worker, not waiting for time to pass


def player_of(build_player, settings, clock):
    from signage.player.snapshot import SnapshotWriter

    player = build_player(settings, clock, emulated_panel(SIZE))
    player.snapshots = SnapshotWriter(settings.snapshot_path, background=False)
    return player


# --- a read-only data dir ------------------------------------------------------------


@contextlib.contextmanager
def read_only(directory):
    """`directory` remounted read-only in place (a bind mount), as a failing card is."""
    mount = subprocess.run(["mount", "--bind", str(directory), str(directory)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root): {mount.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(directory)], check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def test_a_read_only_data_dir_serves_reads_refuses_writes_and_the_player_plays(
        settings, clock, fonts):
    from signage.player.loop import build_player

    filled_store(settings, clock)
    token = {"Authorization": f"Bearer {make_token(settings, clock)}"}
    with read_only(settings.data_dir):
        store = Store(settings.data_dir, clock)
        assert store.database.read_only and store.content.live_playlist("main")
        with pytest.raises(StoreReadOnly, match="read-only"):
            store.access.create_token("new", "editor")
        store.close()

        with serve(create_app(settings, clock)) as url, httpx.Client(base_url=url) as client:
            health = client.get("/api/health")
            listing = client.get("/api/playlists", headers=token)
            tokens = client.get("/api/tokens", headers=token)
        player = player_of(build_player, settings, clock)
        play(player, clock, CROSSFADE_S + 0.5)

    assert health.status_code == 503 and health.json()["state"] == "store read-only"
    assert listing.status_code == 200 and listing.json()["playlists"] == ["main"]
    assert tokens.status_code == 403  # a technician; the refusal needs no write either
    assert pixels(player.driver.last_frame()) != pixels(player.compositor.standby())
    player.compositor.close()
