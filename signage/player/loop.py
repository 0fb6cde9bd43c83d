"""The frame loop: what to show now, composited and handed to the driver.

`Player.step()` does one frame at the clock's current time and never sleeps;
`Player.run()` is the thin paced loop around it. Each tick is due at
start + n * interval and missed ticks are skipped, so timing error never builds up.
"""

from __future__ import annotations

import collections
import gc
import logging
import math
import threading
from typing import Callable

import pygame

from drivers.base import Driver, DriverError
from signage.clock import Clock
from signage.content.controls import PanelSetting
from signage.content.models import Playlist
from signage.schedule.desired import Decision, decide
from signage.player.emergency import emergency_playlist
from signage.player.history import MinuteHistory
from signage.player.housekeeping import Housekeeping
from signage.player.memory import unmap_big_buffers
from signage.player.panel_control import PanelControl
from signage.player.showing import Showing
from signage.player.proof import ProofOfPlay
from signage.render.compositor import CROSSFADE_S, Compositor
from signage.render.stage import Stage
from signage.store.runtime import clean_stale_temps, write_json
from signage.settings import Settings
from signage.player.screen import Screen
from signage.player.snapshot import (SNAPSHOT_FILM_S, SNAPSHOT_MAX_AGE_S, SNAPSHOT_MIN_GAP_S,
                                     SNAPSHOT_MOVING_S, SNAPSHOT_SETTLE_S, SnapshotWriter)
from signage.player.status import ErrorLog, status_document
from signage.errors import StoreDamaged, StoreError
from signage.player.steady import SteadySteps
from signage.player.wanted import read_wanted
from signage.schedule.state import LiveContent
from signage.store import Store
from signage.store.assets import shown_file
from signage.store.lastgood import LAST_GOOD, LastGood, LastGoodContent
from signage.schedule.trusted_time import TimeTrust, Verdict
from signage.player.watchdog import Notifier

log = logging.getLogger(__name__)

STATUS_EVERY_S = 0.5
RECONCILE_EVERY_S = 0.1  # how often to ask SQLite whether desired state changed
STORE_RETRY_S = 5.0  # how often to retry a store that could not be opened
MAX_PREPARE_S = 1.0  # how long a new playlist may keep the old one on screen while it loads
CLOCK_JUMP_S = 2.0  # a wall clock that moves this much against the monotonic one was reset


class Player:
    def __init__(self, settings: Settings, store: Store | Callable[[], Store], driver: Driver,
                 clock: Clock, compositor: Compositor, *, errors: ErrorLog | None = None,
                 snapshots: SnapshotWriter | None = None, control: PanelControl | None = None,
                 proof: ProofOfPlay | None = None, notifier: Notifier | None = None,
                 housekeeping: Housekeeping | None = None, history: MinuteHistory | None = None,
                 freeze_after_first_frame: bool = False):
        """`store` may be a factory: a store that cannot be opened yet is retried, and
        the standby card shows meanwhile (a damaged database must not black the wall).

        The other parts default to what tests want: panel control and proof of play work
        synchronously, no watchdog is told anything; build_player hands in the real ones.
        `freeze_after_first_frame`: see gc.freeze below (process-wide: not for tests
        that build many players)."""
        self.settings = settings
        self.store: Store | None = store if isinstance(store, Store) else None
        self.store_factory = None if isinstance(store, Store) else store
        # Writes made off the frame loop (proof of play, the time mark) go through a
        # connection of their own when there is a factory: a write holds its connection
        # while it waits for SQLite's lock and the disk's fsync (on an SD card, 100 ms or
        # more), and the frame thread must never wait behind it to read.
        self.write_store: Store | None = self.store
        self.store_failed = False
        self.driver = driver
        self.clock = clock
        self.compositor = compositor
        self.errors = errors or ErrorLog(clock)
        self.snapshots = snapshots or SnapshotWriter(settings.snapshot_path)
        self.interval = 1.0 / settings.fps
        self.tick_origin: float | None = None  # where run()'s grid of ticks starts
        now = clock.monotonic()
        self.started_mono = now
        self.started_wall = clock.now()
        self.showing = Showing()  # what is on screen (or fading in)
        self.stage = Stage(compositor, None, self.report, direct=True)
        self.stage.start(now)
        self.pending: tuple[Showing, Stage, float] | None = None  # loading, not yet shown
        self.data_version: int | None = None
        self.next_reconcile = now
        self.fade_started: float | None = None
        self.last_frame: pygame.Surface | None = None
        self.frame_changed_at = now
        self.pixels_changed_at = now  # any pixel, a ticker's step included
        self.settled = True
        self.settled_at = now
        self.next_status = now
        self.last_snapshot = -1e9
        self.snapshot_screen = Screen()  # what the last snapshot showed over the frame
        self.frames = 0
        self.dropped = 0
        self.frame_ms: collections.deque[float] = collections.deque(maxlen=300)
        self.present_times: collections.deque[float] = collections.deque(maxlen=90)
        self.driver_ok = True
        self.control = control or PanelControl(driver, self.report, background=False)
        self.proof = proof or ProofOfPlay(self.report, background=False)
        self.notifier = notifier or Notifier({})
        self.housekeeping = housekeeping or Housekeeping(settings.plays_keep_days,
                                                         self.proof.write_later)
        # The charts' minutes, written by proof's writer when a minute ends (off the loop).
        self.history = history or MinuteHistory(settings.history_path, clock, self.proof.write_later)
        self.trust: TimeTrust | None = None  # made when the store opens (it keeps the mark)
        self.verdict = Verdict(True, "not checked yet")
        self.decision: Decision | None = None
        self.next_decision = clock.now()
        self.wall_offset = self._wall_offset(now)
        self.missing_reported: set[str] = set()
        self.last_good = LastGood(settings.data_dir)
        self.last_good_content: LastGoodContent | None = None  # in use while no store opens
        # What exists after the first frame (modules, fonts, the store) lives as long as
        # the process. Frozen out of the garbage collector's view, a full collection no
        # longer walks it: 15 ms, a dropped frame every few minutes.
        self.freeze_after_first_frame = freeze_after_first_frame

    # --- desired state --------------------------------------------------------------

    def reconcile(self, now: float) -> None:
        """Follow desired state: decide again when the store changed (polled cheaply via
        PRAGMA data_version), when the last decision is due, or when the clock jumped."""
        if now < self.next_reconcile:
            return
        self.next_reconcile = now + RECONCILE_EVERY_S
        if self.store is None and not self._open_store(now):
            self._follow_last_good(now)
            return
        wall = self.clock.now()
        verdict = self._judge_time(wall, now)
        offset = self._wall_offset(now)
        moved, self.wall_offset = offset - self.wall_offset, offset
        jumped = abs(moved) > CLOCK_JUMP_S
        self.proof.clock_checked(verdict.trusted, jumped)  # plays say if their times are sure
        version = self.store.database.data_version()
        if (version == self.data_version and wall < self.next_decision and not jumped
                and verdict.trusted == self.verdict.trusted):
            return
        if jumped:
            log.info("the wall clock moved by %+.0f s; deciding again", moved)
        self.data_version, self.verdict = version, verdict
        try:
            self._follow(wall, self.store.content, self.store.desired)
        except StoreDamaged as exc:  # found on a page read now: play the copy from now on
            self.report(f"cannot read desired state: {exc}")
            self._drop_store()
            self._follow_last_good(now)
            return
        except Exception as exc:  # a broken row must not stop the screen
            self.report(f"cannot read desired state: {exc}")
            self.next_decision = wall
            return
        self.proof.write_later(self._save_last_good)

    def _save_last_good(self) -> None:
        """Copy the live content beside the database when it changed (off the loop)."""
        store = self.write_store
        if store is None or store.database.read_only:
            return
        try:
            self.last_good.save_from(store)
        except (StoreError, OSError) as exc:  # the store still plays; the copy is older
            log.warning("cannot save the last good content: %s", exc)

    def _follow_last_good(self, now: float) -> None:
        """With no usable store, follow the last good content: the schedule still runs."""
        wall = self.clock.now()
        if self.last_good_content is None:
            self.last_good_content = LastGoodContent.load(self.settings.data_dir)
            if self.last_good_content is None:
                return  # never saved: the standby card (or what is on screen) stays
            self.report("store: playing the last good content saved beside the database")
        elif wall < self.next_decision:
            return
        # No stored mark to judge the clock by: only the release date.
        self.verdict = TimeTrust().check(wall)
        self._follow(wall, self.last_good_content, self.last_good_content)

    def _drop_store(self) -> None:
        for store in {id(s): s for s in (self.store, self.write_store) if s}.values():
            try:
                store.close()
            except StoreError:
                pass
        self.store = self.write_store = None
        self.store_failed, self.next_reconcile = True, self.clock.monotonic() + STORE_RETRY_S

    def _wall_offset(self, mono: float) -> float:
        return self.clock.now().timestamp() - mono

    def _judge_time(self, wall, mono: float) -> Verdict:
        if self.trust is None:
            self.trust = TimeTrust(newest_seen=self.store.desired.newest_seen_time())
        verdict = self.trust.observe(wall, mono)
        if verdict.trusted != self.verdict.trusted:
            (log.info if verdict.trusted else log.warning)("time %s: %s", "trusted" if
                                                          verdict.trusted else "untrusted", verdict.reason)
        if verdict.trusted:  # saving the mark, pruning plays: off the frame loop
            self.housekeeping.run_due(self.write_store, self.trust.newest_seen, mono)
        return verdict

    def _follow(self, wall, content, desired) -> None:
        """Read desired state (from the store, or the last good copy), decide, and act on
        the panel and the content."""
        held = self.control.applied("brightness")
        wanted = read_wanted(content, desired, wall)
        decision = decide(wanted, wall, self.verdict,
                          held_brightness=held if isinstance(held, (int, float)) else None)
        self.decision, self.next_decision = decision, decision.next_check
        self.control.want("power", decision.power_on)
        if decision.brightness is not None:
            self.control.want("brightness", round(decision.brightness, 1))
        self.control.want("test_pattern", decision.test_pattern)
        if decision.emergency is not None:
            self.play(emergency_playlist(decision.emergency), ("emergency", decision.emergency.id))
            return
        live = self._live(decision, wanted.schedule.default if wanted.schedule else None, content)
        if live is not None:
            self.load(live)  # the same revision again changes nothing
        elif self._showing_emergency():
            # The notice ended and nothing is published: the standby card, not the notice.
            self.play(None, "standby")
        # Otherwise, with nothing published yet, the standby card stays up.

    def _showing_emergency(self) -> bool:
        key = (self.pending[0] if self.pending else self.showing).key
        return isinstance(key, tuple) and key[0] == "emergency"

    def _live(self, decision: Decision, default: str | None, content) -> LiveContent | None:
        """The chosen playlist's live revision; if it is not published, the schedule's default."""
        names = [decision.playlist, default]
        for name in filter(None, names):
            live = content.live_playlist(name)
            if live is not None:
                return live
            if name not in self.missing_reported:
                self.missing_reported.add(name)
                self.report(f"playlist {name!r} is scheduled but not published; publish it")
        return None

    def _open_store(self, now: float) -> bool:
        try:
            self.store = self.store_factory()
            self.write_store = self._open_write_store()
        except StoreError as exc:
            if not self.store_failed:
                self.report(f"store: {exc}")
            self.store_failed = True
            self.next_reconcile = now + STORE_RETRY_S
            return False
        if self.store_failed:
            log.info("store opened after earlier failures")
        self.store_failed, self.last_good_content = False, None
        return True

    def _open_write_store(self) -> Store:
        try:
            return self.store_factory()
        except StoreError as exc:  # the first connection opened: share it, slower but safe
            log.warning("a second store connection for background writes failed (%s); "
                        "sharing the frame loop's", exc)
            return self.store

    def load(self, live: LiveContent) -> None:
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
        stage = Stage(self.compositor, playlist, self.report, direct=True)
        stage.prefetch(0.0)
        self.pending = (Showing(key, playlist, revision), stage, self.clock.monotonic())

    # --- one frame ------------------------------------------------------------------

    def step(self) -> pygame.Surface:
        """Compose and present the frame due now."""
        begun = self.clock.monotonic()
        wall = self.clock.now()  # once per frame, for clocks on screen
        self.reconcile(begun)
        self._switch_when_ready(begun)
        dirty = self.stage.render(begun, wall)
        frame = self.stage.frame  # the compositor's, or a full-panel film frame as it is
        changed = self.stage.changed
        fading = self.fade_started is not None
        if fading:
            progress = (begun - self.fade_started) / CROSSFADE_S
            if progress < 1:
                frame = self.compositor.crossfade(self.compositor.held, frame, progress)
            else:
                self.fade_started = None
                self.compositor.end_fade()
                self.stage.prefetching = True
            changed = True  # every fade frame, and the settled one after it
        if changed:
            self.frame_changed_at = begun
        if changed or dirty:
            self.pixels_changed_at = begun
        settled = self.fade_started is None and not self.stage.moving
        if settled and not self.settled:
            self.settled_at = begun
        self.settled = settled
        # The stage's dirty rectangles say what changed in its frame since the last one;
        # during a fade (and just after it) the panel was shown another buffer.
        self._present(frame, begun, dirty if self.driver_ok and frame is self.last_frame
                      and not fading else None)
        self.compositor.start_background_work()  # the frame is out: the worker may start
        self.last_frame = frame
        self.proof.frame(self.write_store, wall, begun, self.stage, self.showing.name,
                         self.showing.revision, fading, self._content_visible(), frame,
                         self.showing.emergency_id)
        self._after_present(begun)
        if self.freeze_after_first_frame:
            self.freeze_after_first_frame = False
            gc.freeze()
        return frame

    def _content_visible(self) -> bool:
        """Whether the wall shows the frames (not blank, no test pattern, driver up)."""
        decision = self.decision
        return self.driver_ok and (decision is None or (decision.power_on and
                                                        decision.test_pattern is None))

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
            stage.prefetching = False  # until the fade is over
        # Its timeline runs from when it was asked for, so loading never shifts the timing;
        # on the tick grid, so a film at the loop's rate meets a frame time every tick
        # however late each tick's wake-up happens to be.
        stage.start(self.on_tick(asked))
        self.showing, self.stage = showing, stage

    def on_tick(self, moment: float) -> float:
        """`moment` moved back onto the grid of ticks run() paces frames by (as it is
        when frames are stepped by hand, e.g. by tests on a fake clock)."""
        if self.tick_origin is None:
            return moment
        ticks = math.floor((moment - self.tick_origin) / self.interval + 1e-6)
        return self.tick_origin + ticks * self.interval

    def _present(self, frame: pygame.Surface, now: float, dirty: list[pygame.Rect] | None) -> None:
        try:
            self.driver.present(frame, dirty=dirty)
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
        # A changed picture is snapshotted once it has settled (not each frame of a fade),
        # a few frames later than proof of play copies it, so the two copies (and their
        # workers) do not land on the same frame.
        changed_since_snapshot = (self.frame_changed_at >= self.last_snapshot and self.settled
                                  and done - self.settled_at >= SNAPSHOT_SETTLE_S)
        screen = self.screen()
        since = done - self.last_snapshot
        # Black or a test pattern shows nothing of a moving frame. A transition's frames
        # cost the most: a moving picture's snapshot and the status wait for its end (the
        # copy for either on a crossfade frame took it past 8 ms), unless it goes on long.
        moved = self.pixels_changed_at >= self.last_snapshot and screen.label == "content"
        every = SNAPSHOT_FILM_S if self.stage.film else SNAPSHOT_MOVING_S
        if (changed_since_snapshot and since >= SNAPSHOT_MIN_GAP_S) or (
            moved and since >= (every if self.settled else 2 * every)
        ) or screen != self.snapshot_screen:  # blanked, lit or a pattern: show it at once
            self.snapshots.submit(self.last_frame, screen)
            self.last_snapshot, self.snapshot_screen = done, screen
        elif not moved and since >= SNAPSHOT_MAX_AGE_S:  # the same picture, not re-encoded
            self.snapshots.refresh(self.last_frame, screen)
            self.last_snapshot = done
        if done >= self.next_status + (0 if self.settled else STATUS_EVERY_S):
            self.next_status = done + STATUS_EVERY_S
            document = status_document(self, done)
            self.history.observe(document)
            try:
                self.snapshots.submit_status(self.settings.status_path, document)
            except OSError as exc:  # a full or read-only runtime dir must not stop the wall
                self._status_failed(f"cannot write {self.settings.status_path}: {exc}")
            if self.snapshots.status_error:  # the background writer's last attempt
                self._status_failed(self.snapshots.status_error)

    def screen(self) -> Screen:
        """What the panel shows over the frame, as the driver last applied it: a wish the
        driver has not taken (its link down) is not what the wall shows."""
        lit = self.control.applied(PanelSetting.POWER)
        return Screen(lit=lit is not False, pattern=self.control.applied(PanelSetting.TEST_PATTERN))

    def _status_failed(self, why: str) -> None:
        if not any(e["message"].startswith("status:") for e in self.errors):
            self.report(f"status: {why}")

    # --- reporting ------------------------------------------------------------------

    def report(self, message: str) -> None:
        """Log `message` and list it in the status document."""
        self.errors.report(message)

    # --- the loop -------------------------------------------------------------------

    def run(self, stop: threading.Event, max_frames: int | None = None) -> None:
        """Present frames at the configured rate until `stop` is set."""
        clean_stale_temps(self.settings.runtime_dir)
        start, steps, tick = self.clock.monotonic(), SteadySteps(self), 0
        self.tick_origin = start
        while not stop.is_set() and (max_frames is None or self.frames < max_frames):
            steps.step()  # a frame that fails leaves the last picture up (player/steady.py)
            if tick == 0:
                self.notifier.ready()
            tick += 1
            now = self.clock.monotonic()
            self.notifier.alive(now)  # silence means the loop hung: it is restarted
            due = start + tick * self.interval
            if now > due:
                # Late: skip the ticks we missed rather than rushing to catch up.
                missed = int((now - due) / self.interval) + 1
                self.dropped += missed
                tick += missed
                due = start + tick * self.interval
            self.clock.sleep(due - now)
        self.notifier.stopping()
        self.snapshots.close()  # first: a status it still had queued is older than this one
        self.proof.close(self.write_store, self.clock.now())
        self.history.save()  # the minute under way too, so a restart keeps it
        write_json(self.settings.status_path, status_document(self, self.clock.monotonic()))
        self.control.close()
        self.compositor.close()
        self.notifier.close()


def build_player(settings: Settings, clock: Clock, driver: Driver) -> Player:
    """Wire a player from settings: store, fonts, compositor, snapshots, panel control,
    proof of play, housekeeping and the watchdog, each made here and handed in."""
    from signage.render.fonts import FontBook

    unmap_big_buffers()

    def open_store() -> Store:
        return Store(settings.data_dir, clock, reserve_bytes=settings.disk_reserve_bytes)

    def asset_path(ref: str):
        # A film's panel-size copy once made; the last-good copy if the store's is gone.
        path = shown_file(settings.assets_dir, ref, driver.size)
        if path.exists():
            return path
        kept = shown_file(settings.data_dir / LAST_GOOD / "assets", ref, driver.size)
        return kept if kept.exists() else path

    errors = ErrorLog(clock)
    compositor = Compositor(driver.size, FontBook(settings.fonts), asset_path, background=True,
                            driver=driver)
    proof = ProofOfPlay(errors.report, background=True)  # hashes and writes off the loop
    return Player(
        settings, open_store, driver, clock, compositor, errors=errors,
        snapshots=SnapshotWriter(settings.snapshot_path),
        # Commands to a sending card can take seconds when it does not answer: off the loop.
        control=PanelControl(driver, errors.report, background=True),
        proof=proof,
        housekeeping=Housekeeping(settings.plays_keep_days, proof.write_later),
        notifier=Notifier(),  # systemd's watchdog, or signage run's
        freeze_after_first_frame=True,
    )
