"""The frame loop: what to show now, composited and handed to the driver.

`Player.step()` does one frame at the clock's current time and never sleeps;
`Player.run()` is the thin paced loop around it. Each tick is due at
start + n * interval and missed ticks are skipped, so timing error never builds up.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import os
import statistics
import threading
from typing import Callable

import pygame

from drivers.base import Driver, DriverError
from signage import __version__
from signage.clock import Clock
from signage.models import ImageItem, MessageItem
from signage.render.compositor import CROSSFADE_S, Compositor, ItemError
from signage.runtime import clean_stale_temps, write_json
from signage.sequence import position
from signage.settings import Settings
from signage.snapshot import SnapshotWriter
from signage.errors import StoreError
from signage.store import LiveContent, Store, asset_file

log = logging.getLogger(__name__)

STATUS_EVERY_S = 0.5
SNAPSHOT_MIN_GAP_S = 0.1  # after a change, at most this long until the snapshot shows it
SNAPSHOT_MAX_AGE_S = 1.0
RECONCILE_EVERY_S = 0.1  # how often to ask SQLite whether desired state changed
STORE_RETRY_S = 5.0  # how often to retry a store that could not be opened
MAX_ERRORS_KEPT = 20


@dataclasses.dataclass
class Showing:
    """The playlist being played and the clock time it (re)started."""

    revision: int | None
    name: str | None
    items: list  # playable items (ones that failed are dropped)
    started: float


def item_label(item: MessageItem | ImageItem) -> str:
    if isinstance(item, MessageItem):
        return item.text.vi[:60]
    return item.caption.vi[:60] if item.caption else item.asset[:19]


class Player:
    def __init__(self, settings: Settings, store: Store | Callable[[], Store], driver: Driver,
                 clock: Clock, compositor: Compositor, snapshots: SnapshotWriter | None = None):
        """`store` may be a factory: a store that cannot be opened yet is retried, and
        the standby card shows meanwhile (a damaged database must not black the wall)."""
        self.settings = settings
        self.store: Store | None = store if isinstance(store, Store) else None
        self.store_factory = None if isinstance(store, Store) else store
        self.store_failed = False
        self.driver = driver
        self.clock = clock
        self.compositor = compositor
        self.snapshots = snapshots or SnapshotWriter(settings.snapshot_path)
        self.interval = 1.0 / settings.fps
        now = clock.monotonic()
        self.started_mono = now
        self.started_wall = clock.now()
        self.showing = Showing(None, None, [], now)
        self.data_version: int | None = None
        self.next_reconcile = now
        self.current_key: object = None  # what the screen settled on (item or standby)
        self.fade_from: pygame.Surface | None = None
        self.fade_started = 0.0
        self.last_frame: pygame.Surface | None = None
        self.frame_changed_at = now
        self.next_status = now
        self.last_snapshot = -1e9
        self.snapshot_due_change = True
        self.frames = 0
        self.dropped = 0
        self.frame_ms: collections.deque[float] = collections.deque(maxlen=300)
        self.present_times: collections.deque[float] = collections.deque(maxlen=90)
        self.errors: collections.deque[dict] = collections.deque(maxlen=MAX_ERRORS_KEPT)
        self.driver_ok = True

    # --- desired state --------------------------------------------------------------

    def reconcile(self, now: float) -> None:
        """Pick up a newly published revision (polled cheaply via PRAGMA data_version)."""
        if now < self.next_reconcile:
            return
        self.next_reconcile = now + RECONCILE_EVERY_S
        if self.store is None and not self._open_store(now):
            return
        version = self.store.data_version()
        if version == self.data_version:
            return
        self.data_version = version
        try:
            live = self.store.live_content()
        except Exception as exc:  # a broken row must not stop the screen
            self.report(f"cannot read live content: {exc}")
            return
        # With nothing published yet (None) the standby card stays up.
        if live is not None and live.revision != self.showing.revision:
            self.load(live, now)

    def _open_store(self, now: float) -> bool:
        try:
            self.store = self.store_factory()
        except StoreError as exc:
            if not self.store_failed:
                self.report(f"store: {exc}")
            self.store_failed = True
            self.next_reconcile = now + STORE_RETRY_S
            return False
        if self.store_failed:
            log.info("store opened after earlier failures")
        self.store_failed = False
        return True

    def load(self, live: LiveContent, now: float) -> None:
        log.info("playing %s revision %d (%d items)", live.playlist.name, live.revision,
                 len(live.playlist.items))
        self.showing = Showing(live.revision, live.playlist.name, list(live.playlist.items), now)

    # --- one frame ------------------------------------------------------------------

    def step(self) -> pygame.Surface:
        """Compose and present the frame due now."""
        begun = self.clock.monotonic()
        self.reconcile(begun)
        key, surface = self._settled_picture(begun)
        if key != self.current_key:
            # Fade from whatever is on screen now, so a new revision blends in too.
            self.fade_from = self.last_frame.copy() if self.last_frame is not None else None
            self.fade_started = begun
            self.current_key = key
            self.frame_changed_at = begun
        frame = surface
        if self.fade_from is not None:
            progress = (begun - self.fade_started) / CROSSFADE_S
            if progress < 1:
                frame = self.compositor.crossfade(self.fade_from, surface, progress)
            else:
                self.fade_from = None
            self.frame_changed_at = begun  # every fade frame, and the settled one after it
        self._present(frame, begun)
        self.last_frame = frame
        self._after_present(begun)
        return frame

    def _settled_picture(self, now: float) -> tuple[object, pygame.Surface]:
        """The item that should be on screen now (without transition), or standby."""
        while self.showing.items:
            durations = [item.duration for item in self.showing.items]
            pos = position(durations, now - self.showing.started)
            item = self.showing.items[pos.index]
            try:
                return (self.showing.revision, pos.index, pos.loop), self.compositor.item_surface(item)
            except ItemError as exc:
                self.report(f"skipping item {pos.index} ({item.kind}) of {self.showing.name}: {exc}")
                # Drop it and carry on from the next item without a jump in timing.
                del self.showing.items[pos.index]
                self.showing.started = now - sum(durations[: pos.index])
        return "standby", self.compositor.standby()

    def _present(self, frame: pygame.Surface, now: float) -> None:
        try:
            self.driver.present(frame)
        except DriverError as exc:
            if self.driver_ok:
                self.report(f"driver: {exc}")
            self.driver_ok = False
            return
        if not self.driver_ok:
            log.info("driver is presenting again")
        self.driver_ok = True
        self.frames += 1
        self.present_times.append(now)

    def _after_present(self, begun: float) -> None:
        done = self.clock.monotonic()
        self.frame_ms.append((done - begun) * 1000)
        changed_since_snapshot = self.frame_changed_at >= self.last_snapshot
        if (changed_since_snapshot and done - self.last_snapshot >= SNAPSHOT_MIN_GAP_S) or (
            done - self.last_snapshot >= SNAPSHOT_MAX_AGE_S
        ):
            self.snapshots.submit(self.last_frame)
            self.last_snapshot = done
        if done >= self.next_status:
            self.next_status = done + STATUS_EVERY_S
            try:
                write_json(self.settings.status_path, self.status(done))
            except OSError as exc:  # a full or read-only runtime dir must not stop the wall
                if not any(e["message"].startswith("status:") for e in self.errors):
                    self.report(f"status: cannot write {self.settings.status_path}: {exc}")

    # --- reporting ------------------------------------------------------------------

    def report(self, message: str) -> None:
        log.warning("%s", message)
        self.errors.append({"at": self.clock.now().isoformat(timespec="seconds"), "message": message})

    def status(self, now: float) -> dict:
        """The status document technicians read through the API."""
        times = sorted(self.frame_ms)
        fps = None
        if len(self.present_times) > 1:
            span = self.present_times[-1] - self.present_times[0]
            fps = round((len(self.present_times) - 1) / span, 2) if span > 0 else None
        item = None
        if self.showing.items and self.current_key != "standby":
            pos = position([i.duration for i in self.showing.items], now - self.showing.started)
            shown = self.showing.items[pos.index]
            item = {"index": pos.index, "kind": shown.kind, "label": item_label(shown),
                    "remaining_s": round(pos.remaining, 2)}
        telemetry = self.driver.telemetry()
        return {
            "version": __version__,
            "pid": os.getpid(),
            "started_at": self.started_wall.isoformat(),
            "updated_at": self.clock.now().isoformat(),
            "uptime_s": round(now - self.started_mono, 1),
            "state": "standby" if self.current_key == "standby" else "playing",
            "frames": self.frames,
            "target_fps": self.settings.fps,
            "fps": fps,
            "frame_ms": {
                "median": round(statistics.median(times), 2) if times else None,
                "p99": round(times[int(0.99 * (len(times) - 1))], 2) if times else None,
                "max": round(times[-1], 2) if times else None,
            },
            "dropped_frames": self.dropped,
            "playlist": self.showing.name,
            "revision": self.showing.revision,
            "item": item,
            "driver": {"url": self.settings.driver, "ok": self.driver_ok,
                       "size": list(self.driver.size), **telemetry.as_dict()},
            "errors": list(self.errors),
        }

    # --- the loop -------------------------------------------------------------------

    def run(self, stop: threading.Event, max_frames: int | None = None) -> None:
        """Present frames at the configured rate until `stop` is set."""
        clean_stale_temps(self.settings.runtime_dir)
        start = self.clock.monotonic()
        tick = 0
        while not stop.is_set() and (max_frames is None or self.frames < max_frames):
            self.step()
            tick += 1
            now = self.clock.monotonic()
            due = start + tick * self.interval
            if now > due:
                # Late: skip the ticks we missed rather than rushing to catch up.
                missed = int((now - due) / self.interval) + 1
                self.dropped += missed
                tick += missed
                due = start + tick * self.interval
            self.clock.sleep(due - now)
        write_json(self.settings.status_path, self.status(self.clock.monotonic()))
        self.snapshots.close()


def build_player(settings: Settings, clock: Clock, driver: Driver) -> Player:
    """Wire a player from settings: store, fonts, compositor, snapshots."""
    from signage.render.fonts import FontBook

    def open_store() -> Store:
        return Store(settings.data_dir, clock)

    def asset_path(ref: str):
        return asset_file(settings.assets_dir, ref)

    compositor = Compositor(driver.size, FontBook(settings.fonts), asset_path)
    return Player(settings, open_store, driver, clock, compositor)
