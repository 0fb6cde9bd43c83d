"""The frame loop on an emulated panel, driven by a fake clock (no test sleeps)."""

import datetime as dt
import io
import json
import threading

import pygame
import pytest
from PIL import Image

from drivers.base import DriverUnavailable, PanelTelemetry
from drivers.emulated import EmulatedPanel
from signage.services.importer import import_paths
from signage.content.models import Playlist
from signage.render.compositor import CROSSFADE_S
from signage.player.snapshot import SnapshotWriter
from signage.player.status import status_document
from signage.store import Store
from tests.conftest import SAMPLES, add_image, emulated_panel, player_on

SIZE = (384, 192)


def pixels(surface: pygame.Surface) -> bytes:
    return pygame.image.tobytes(surface, "RGB")


def message(vi, duration="5s"):
    return {"kind": "message", "duration": duration, "text": {"vi": vi, "en": "English", "zh": "中文"}}


def publish(store, *items, name="main"):
    return store.content.publish_playlist(Playlist.model_validate({"name": name, "items": list(items)}), "test")


@pytest.fixture
def panel():
    return emulated_panel(SIZE)


@pytest.fixture
def player(settings, store, clock, panel, fonts):
    return player_on(settings, store, clock, panel, fonts)


def play(player, clock, seconds, fps=30):
    for _ in range(round(seconds * fps)):
        player.step()
        clock.advance(1 / fps)


def expected(player, item_data):
    item = Playlist.model_validate({"name": "x", "items": [item_data]}).items[0]
    return pixels(player.compositor.item_surface(item))


def test_nothing_published_shows_the_standby_card_not_black(player, panel):
    player.step()
    shown = pixels(panel.last_frame())
    assert shown == pixels(player.compositor.standby())
    assert shown != bytes(len(shown))  # not black


def test_items_advance_by_duration_and_loop(player, store, clock, panel):
    first, second = message("Một", "2s"), message("Hai", "3s")
    publish(store, first, second)
    play(player, clock, 1)
    assert pixels(panel.last_frame()) == expected(player, first)
    play(player, clock, 1 + CROSSFADE_S + 0.1)  # into the second item, past its fade
    assert pixels(panel.last_frame()) == expected(player, second)
    play(player, clock, 3)  # 5.5 s: looped back to the first
    assert pixels(panel.last_frame()) == expected(player, first)


def test_items_change_with_a_crossfade(player, store, clock, panel):
    first, second = message("Một", "1s"), message("Hai", "5s")
    publish(store, first, second)
    play(player, clock, 1 + CROSSFADE_S / 2)
    midway = pixels(panel.last_frame())
    assert midway not in (expected(player, first), expected(player, second))


def test_a_new_revision_is_on_the_panel_within_250_ms(player, store, clock, panel, settings):
    publish(store, message("Cũ", "30s"))
    play(player, clock, 2)
    # Published through another connection, as the API process does.
    publish(Store(settings.data_dir, clock), message("Mới", "30s"))
    fps = 30
    for frame in range(round(0.25 * fps)):
        player.step()
        clock.advance(1 / fps)
        if player.showing.playlist and player.showing.playlist.items[0].text.vi == "Mới":
            break
    else:
        pytest.fail("the player did not pick up the new revision within 250 ms")
    play(player, clock, CROSSFADE_S + 0.1)
    assert pixels(panel.last_frame()) == expected(player, message("Mới", "30s"))


def test_frame_counter_rises_once_per_presented_frame(player, clock, panel):
    play(player, clock, 2)
    assert panel.frames == player.frames == 60


def test_status_document_is_written_at_least_once_a_second(player, store, clock, settings):
    publish(store, message("Một"))
    play(player, clock, 0.1)
    first = json.loads(settings.status_path.read_text())
    play(player, clock, 1.0)
    later = json.loads(settings.status_path.read_text())
    assert later["updated_at"] > first["updated_at"] and later["frames"] > first["frames"]
    assert later["state"] == "playing" and later["playlist"] == "main"
    assert later["item"]["kind"] == "message" and later["item"]["label"] == "Một"
    assert later["driver"]["link"] == "up" and later["driver"]["size"] == list(SIZE)
    assert later["frame_ms"]["median"] is not None and later["fps"] == pytest.approx(30, rel=0.05)


def test_snapshot_is_the_last_presented_frame(player, store, clock, settings, panel):
    publish(store, message("Ảnh chụp"))
    play(player, clock, 1.5)
    image = Image.open(io.BytesIO(settings.snapshot_path.read_bytes())).convert("RGB")
    assert image.size == SIZE
    assert image.tobytes() == pixels(panel.last_frame())


def test_snapshot_is_refreshed_every_second_even_when_nothing_changes(player, store, clock, settings):
    publish(store, message("Tĩnh", "1h"))
    play(player, clock, 1)
    settings.snapshot_path.unlink()
    play(player, clock, 1.05)
    assert settings.snapshot_path.exists()


def test_an_item_whose_image_vanished_is_skipped_and_reported(player, store, clock, panel, settings):
    import_paths(store, [SAMPLES / "welcome.yaml"])
    live = store.content.live_content()
    for ref in live.playlist.asset_refs():
        store.assets.path(ref).unlink()
    play(player, clock, 1)
    good = [i for i in live.playlist.items if i.kind == "message" and not i.background]
    assert pixels(panel.last_frame()) == pixels(player.compositor.item_surface(good[0]))
    status = json.loads(settings.status_path.read_text())
    assert any("skipping item 0" in e["message"] for e in status["errors"])


def test_when_every_item_fails_the_standby_card_shows(player, store, clock, panel):
    ref = add_image(store, _png())
    store.content.publish_playlist(Playlist.model_validate(
        {"name": "x", "items": [{"kind": "image", "asset": ref}]}), "t")
    store.assets.path(ref).unlink()
    play(player, clock, 1)
    assert pixels(panel.last_frame()) == pixels(player.compositor.standby())


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(buffer, "PNG")
    return buffer.getvalue()


class FakeUnpluggedPanel(EmulatedPanel):
    """A panel whose link drops while `unplugged` is set (hardware we do not have)."""

    unplugged = False

    def present(self, frame, dirty=None):
        if self.unplugged:
            raise DriverUnavailable("link down")
        super().present(frame, dirty)

    def telemetry(self) -> PanelTelemetry:
        return PanelTelemetry(link="down" if self.unplugged else "up", frames=self.frames)


def test_a_driver_fault_is_reported_and_the_loop_keeps_going(settings, store, clock, fonts):
    panel = FakeUnpluggedPanel(SIZE)
    panel.open()
    player = player_on(settings, store, clock, panel, fonts)
    play(player, clock, 0.5)
    panel.unplugged = True
    play(player, clock, 1)
    status = json.loads(settings.status_path.read_text())
    assert status["driver"]["ok"] is False and status["driver"]["link"] == "down"
    assert [e["message"] for e in status["errors"]] == ["driver: link down"]
    panel.unplugged = False
    before = panel.frames
    play(player, clock, 1)
    assert panel.frames == before + 30


class FakeSlowPanel(EmulatedPanel):
    """A panel that takes `delay` seconds of (fake) time to take each frame."""

    def __init__(self, size, clock, delay):
        super().__init__(size)
        self.clock, self.delay = clock, delay

    def present(self, frame, dirty=None):
        self.clock.advance(self.delay)
        super().present(frame, dirty)


def test_pacing_holds_the_rate_and_skips_missed_ticks(settings, store, clock, fonts):
    panel = FakeSlowPanel(SIZE, clock, delay=0.05)  # slower than a 30 fps tick
    panel.open()
    player = player_on(settings, store, clock, panel, fonts)
    start = clock.monotonic()
    player.run(threading.Event(), max_frames=30)
    elapsed = clock.monotonic() - start
    # Each frame takes 50 ms so every other 33 ms tick is missed and skipped: 30 frames
    # land on ticks 0, 2, 4, ... and take 60 ticks' time, not more.
    assert elapsed == pytest.approx(60 / 30, abs=0.04)
    assert player.dropped == 30


def test_pacing_at_full_speed_sleeps_to_each_tick(player, clock):
    start = clock.monotonic()
    player.run(threading.Event(), max_frames=90)
    assert clock.monotonic() - start == pytest.approx(3.0, abs=1e-6)
    assert player.dropped == 0


@pytest.mark.parametrize("phase", range(8))
def test_the_snapshot_shows_the_settled_frame_right_after_a_fade(settings, store, clock, fonts, phase):
    """Whatever frame the last fade snapshot fell on, the settled frame follows promptly."""
    panel = FakeSlowPanel(SIZE, clock, delay=0.002)  # real frames take time
    panel.open()
    player = player_on(settings, store, clock, panel, fonts)
    publish(store, message("Cũ", "30s"))
    play(player, clock, 2)
    for _ in range(phase):  # shift the fade against the snapshot cadence
        player.step()
        clock.advance(0.011)
    publish(Store(settings.data_dir, clock), message("Mới", "30s"))
    play(player, clock, 0.1 + CROSSFADE_S + 0.15)  # notice, fade, one snapshot gap
    image = Image.open(io.BytesIO(settings.snapshot_path.read_bytes())).convert("RGB")
    assert image.tobytes() == expected(player, message("Mới", "30s"))


def test_the_player_is_handed_its_parts(settings, store, clock, fonts):
    from signage.player.housekeeping import Housekeeping
    from signage.player.loop import Player
    from signage.player.panel_control import PanelControl
    from signage.player.proof import ProofOfPlay
    from signage.player.status import ErrorLog
    from signage.player.watchdog import Notifier
    from signage.render.compositor import Compositor

    panel = emulated_panel(SIZE)
    errors = ErrorLog(clock)
    proof = ProofOfPlay(errors.report, background=False)
    parts = {"errors": errors, "proof": proof, "notifier": Notifier({}),
             "control": PanelControl(panel, errors.report, background=False),
             "housekeeping": Housekeeping(30, proof.write_later),
             "snapshots": SnapshotWriter(settings.snapshot_path, background=False)}
    player = Player(settings, store, panel, clock, Compositor(SIZE, fonts, store.assets.path),
                    **parts)
    assert {name: getattr(player, name) for name in parts} == parts
    assert all(getattr(player, name) is part for name, part in parts.items())


def test_build_player_makes_the_parts_then_the_player_and_changes_nothing_after(
        settings, clock, monkeypatch):
    from signage.player import loop

    as_built = []

    class Watched(loop.Player):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            as_built.append(dict(vars(self)))

    monkeypatch.setattr(loop, "Player", Watched)
    player = loop.build_player(settings, clock, emulated_panel(SIZE))
    try:
        assert as_built == [vars(player)]  # every attribute still the object __init__ set
        assert player.freeze_after_first_frame
        assert player.control.report == player.proof.report == player.errors.report
    finally:
        player.control.close()
        player.compositor.close()


def test_a_damaged_database_shows_standby_and_recovers(settings, clock, fonts):
    """signage.db that is not a database: standby on the panel, the fault in status,
    and content as soon as the store can be opened again."""
    from signage.player.loop import STORE_RETRY_S, build_player

    settings.data_dir.mkdir(parents=True)
    settings.db_path.write_bytes(b"this is not an SQLite database" * 100)
    panel = EmulatedPanel(SIZE)
    panel.open()
    player = build_player(settings, clock, panel)
    player.snapshots = SnapshotWriter(settings.snapshot_path, background=False)
    play(player, clock, 1)
    assert pixels(panel.last_frame()) == pixels(player.compositor.standby())
    status = json.loads(settings.status_path.read_text())
    assert status["state"] == "standby"
    assert [e["message"][:30] for e in status["errors"]] == ["store: cannot open the store i"]

    settings.db_path.unlink()  # a technician restores the data directory
    publish(Store(settings.data_dir, clock), message("Đã khôi phục", "30s"))
    play(player, clock, STORE_RETRY_S + CROSSFADE_S + 0.2)
    assert pixels(panel.last_frame()) == expected(player, message("Đã khôi phục", "30s"))
    assert len(json.loads(settings.status_path.read_text())["errors"]) == 1  # reported once


def test_an_unwritable_runtime_dir_does_not_stop_the_frames(player, store, clock, panel, settings):
    publish(store, message("Một"))
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    settings.status_path.mkdir()  # a directory where the file should go: writes fail
    play(player, clock, 2)
    assert panel.frames == 60
    assert [e["message"][:7] for e in player.errors] == ["status:"]


def test_play_switches_the_panel_with_a_fade_and_ignores_the_same_key(player, clock, panel):
    """The seam for scheduling: play(playlist, key) changes what is shown."""
    night = Playlist.model_validate({"name": "night", "items": [message("Đêm", "1h")]})
    play(player, clock, 0.5)
    standby = pixels(panel.last_frame())
    player.play(night, "night")
    play(player, clock, CROSSFADE_S / 2)
    assert pixels(panel.last_frame()) not in (standby, expected(player, message("Đêm", "1h")))
    player.play(night, "night")  # again: nothing restarts
    play(player, clock, CROSSFADE_S)
    assert pixels(panel.last_frame()) == expected(player, message("Đêm", "1h"))
    assert status_document(player, clock.monotonic())["playlist"] == "night"


def test_status_lists_every_zone_of_a_layout(player, store, clock, settings):
    store.content.publish_playlist(Playlist.model_validate({"name": "gate", "layout": [
        {"zone": "main", "rect": [0, 0, "100%", "75%"], "items": [message("Một", "4s")]},
        {"zone": "ticker", "rect": [0, "75%", "100%", "25%"],
         "items": [{"kind": "ticker", "text": {"vi": "Chạy", "en": "Run", "zh": "跑"}}]}]}), "t")
    play(player, clock, 1.0)
    status = json.loads(settings.status_path.read_text())
    assert [(z["zone"], z["kind"]) for z in status["zones"]] == [("main", "message"), ("ticker", "ticker")]
    assert status["item"]["label"] == "Một" and status["state"] == "playing"


def test_a_steady_ticker_does_not_snapshot_every_frame(player, store, clock, settings):
    """Only the strip moves: the snapshot follows at most once a second, not 10 times."""
    store.content.publish_playlist(Playlist.model_validate({"name": "t", "layout": [
        {"zone": "main", "rect": [0, 0, "100%", "75%"], "items": [message("Tĩnh", "1h")]},
        {"zone": "ticker", "rect": [0, "75%", "100%", "25%"],
         "items": [{"kind": "ticker", "text": {"vi": "Chạy", "en": "Run", "zh": "跑"}}]}]}), "t")
    play(player, clock, 2)
    written = []
    player.snapshots.submit = lambda frame, screen: written.append(frame)
    play(player, clock, 3)
    assert 2 <= len(written) <= 4


class HintedPanel(EmulatedPanel):
    """The emulated panel, noting the dirty hint of each frame."""

    def __init__(self, size):
        super().__init__(size)
        self.hints = []

    def present(self, frame, dirty=None):
        self.hints.append(dirty)
        super().present(frame, dirty)


def test_the_panel_is_handed_only_what_changed_and_still_shows_every_frame(settings, store, clock, fonts):
    panel = HintedPanel(SIZE)
    panel.open()
    player = player_on(settings, store, clock, panel, fonts)
    play(player, clock, 0.5)
    assert panel.hints[-1] == []  # the standby card stands still: nothing to copy
    Store(settings.data_dir, clock).content.publish_playlist(Playlist.model_validate({"name": "t", "layout": [
        {"zone": "main", "rect": [0, 0, "100%", "75%"], "items": [message("Tĩnh", "1h")]},
        {"zone": "ticker", "rect": [0, "75%", "100%", "25%"],
         "items": [{"kind": "ticker", "text": {"vi": "Chạy", "en": "Run", "zh": "跑"}}]}]}), "t")
    del panel.hints[:]
    for _ in range(round((0.2 + CROSSFADE_S + 1) * 30)):  # it fades in, then runs steadily
        frame = player.step()
        assert pixels(panel.last_frame()) == pixels(frame)
        clock.advance(1 / 30)
    assert panel.hints.count(None) >= CROSSFADE_S * 30  # the fade: whole frames
    assert panel.hints[-5:] == [[pygame.Rect(0, 144, 384, 48)]] * 5  # steady: the strip only


def test_a_write_waiting_for_the_database_never_holds_up_the_frames(settings, store, clock, fonts):
    # Proof of play and the time mark are written off the frame loop. When such a write
    # must wait (another process holds SQLite's write lock, or the SD card is slow to
    # fsync), the frame thread goes on reading desired state and drawing frames.
    import sqlite3
    import time

    from signage.player.loop import Player
    from signage.player.proof import ProofOfPlay
    from signage.player.status import ErrorLog
    from signage.render.compositor import Compositor

    publish(store, message("Một"))
    panel = emulated_panel(SIZE)
    errors = ErrorLog(clock)
    player = Player(settings, lambda: Store(settings.data_dir, clock), panel, clock,
                    Compositor(SIZE, fonts, store.assets.path), errors=errors,
                    snapshots=SnapshotWriter(settings.snapshot_path, background=False),
                    proof=ProofOfPlay(errors.report, background=True))
    play(player, clock, 1)
    other = sqlite3.connect(settings.data_dir / "signage.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the API process, say, in a long write
        clock.advance(61)  # the newest time seen is due to be saved
        player.step()
        deadline = time.monotonic() + 10  # waits for the writer to block, not for time
        while not held_elsewhere(player.write_store.database.lock) and time.monotonic() < deadline:
            time.sleep(0.001)
        assert held_elsewhere(player.write_store.database.lock), "the background write never started"
        # The frame thread's own connection is free while the writer waits...
        assert not held_elsewhere(player.store.database.lock)
        shown = panel.frames
        play(player, clock, 0.5)  # ...so frames keep coming, desired state is read
        assert panel.frames == shown + 15
    finally:
        other.execute("ROLLBACK")
        other.close()
    player.proof.close(player.write_store, clock.now())  # waits for the write to land
    assert store.desired.newest_seen_time() >= clock.now() - dt.timedelta(seconds=2)


def held_elsewhere(lock) -> bool:
    """Whether another thread holds `lock` now."""
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True
