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
from signage.models import Playlist
from signage.render.compositor import CROSSFADE_S, Compositor
from signage.render.stage import Stage
from signage.runtime import clean_stale_temps, write_json
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
MAX_PREPARE_S = 1.0  # how long a new playlist may keep the old one on screen while it loads


@dataclasses.dataclass(frozen=True)
class Showing:
    """What play() was last asked to show: its key, and the playlist with its revision."""

    key: object = None
    playlist: Playlist | None = None
    revision: int | None = None

    @property
    def name(self) -> str | None:
        return self.playlist.name if self.playlist else None


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
        self.showing = Showing()  # what is on screen (or fading in)
        self.stage = Stage(compositor, None, self.report)
        self.stage.start(now)
        self.pending: tuple[Showing, Stage, float] | None = None  # loading, not yet shown
        self.data_version: int | None = None
        self.next_reconcile = now
        self.fade_started: float | None = None
        self.last_frame: pygame.Surface | None = None
        self.frame_changed_at = now
        self.settled = True
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
        if live is not None:
            self.load(live, now)  # the same revision again changes nothing

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
        self.play(live.playlist, ("revision", live.revision), revision=live.revision)

    def play(self, playlist: Playlist | None, key: object, *, revision: int | None = None) -> None:
        """Switch the panel to `playlist` (None: the standby card); `key` names what it is.

        The new picture fades in over the old one as soon as its first items are rendered
        (in the background when the compositor has a worker). Playing the key that is
        already on screen, or on its way, changes nothing.
        """
        wanted = self.pending[0] if self.pending else self.showing
        if key == wanted.key:
            return
        if playlist is not None:
            log.info("playing %s (%s, %d items)", playlist.name, key, playlist.item_count())
        stage = Stage(self.compositor, playlist, self.report)
        stage.prefetch(0.0)
        self.pending = (Showing(key, playlist, revision), stage, self.clock.monotonic())

    # --- one frame ------------------------------------------------------------------

    def step(self) -> pygame.Surface:
        """Compose and present the frame due now."""
        begun = self.clock.monotonic()
        wall = self.clock.now()  # once per frame, for clocks on screen
        self.reconcile(begun)
        self._switch_when_ready(begun)
        self.stage.render(begun, wall)
        frame = self.compositor.frame
        changed = self.stage.changed
        if self.fade_started is not None:
            progress = (begun - self.fade_started) / CROSSFADE_S
            if progress < 1:
                frame = self.compositor.crossfade(self.compositor.held, frame, progress)
            else:
                self.fade_started = None
            changed = True  # every fade frame, and the settled one after it
        if changed:
            self.frame_changed_at = begun
        self.settled = self.fade_started is None and not self.stage.moving
        self._present(frame, begun)
        self.last_frame = frame
        self._after_present(begun)
        return frame

    def _switch_when_ready(self, now: float) -> None:
        if self.pending is None:
            return
        showing, stage, asked = self.pending
        if not stage.ready(0.0) and now - asked < MAX_PREPARE_S:
            return  # the old picture stays up (and moving) until the new one is ready
        self.pending = None
        if self.last_frame is not None:
            # Fade from whatever is on screen now, so a new revision blends in too.
            self.compositor.hold(self.last_frame)
            self.fade_started = now
        # Its timeline runs from when it was asked for, so loading never shifts the timing.
        stage.start(asked)
        self.showing, self.stage = showing, stage

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
        # A changed picture is snapshotted once it has settled (not each frame of a fade).
        changed_since_snapshot = self.frame_changed_at >= self.last_snapshot and self.settled
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
        standby = self.stage.standby
        zones = self.stage.status(now)
        item = None if standby else {k: v for k, v in zones[0].items() if k != "zone"}
        telemetry = self.driver.telemetry()
        return {
            "version": __version__,
            "pid": os.getpid(),
            "started_at": self.started_wall.isoformat(),
            "updated_at": self.clock.now().isoformat(),
            "uptime_s": round(now - self.started_mono, 1),
            "state": "standby" if standby else "playing",
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
            "zones": zones,
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
        self.compositor.close()


def build_player(settings: Settings, clock: Clock, driver: Driver) -> Player:
    """Wire a player from settings: store, fonts, compositor, snapshots."""
    from signage.render.fonts import FontBook

    def open_store() -> Store:
        return Store(settings.data_dir, clock)

    def asset_path(ref: str):
        return asset_file(settings.assets_dir, ref)

    compositor = Compositor(driver.size, FontBook(settings.fonts), asset_path, background=True)
    return Player(settings, open_store, driver, clock, compositor)
