"""Proof of play: what each zone of the wall showed, from when to when, and the picture.

The player hands `ProofOfPlay.frame()` every presented frame. Each frame costs a tuple
comparison: only when a zone's item (or its transition state) changed is the stage asked
for its status, and only once per item is its picture hashed: the first full frame it
produced (its own transition and any playlist crossfade over), hashed over the zone's box
in the presented frame as RGBX rows (pygame.image.tobytes(area, "RGBX")). The copy of
that area is made on the frame thread (about 0.6 ms for a whole 1920x1080 panel, once per
item); the hash (about 5 ms) runs on a worker. Finished plays wait in memory and are
written to SQLite in one transaction every BATCH_EVERY_S or BATCH_PLAYS, and at shutdown,
so an SD card is never written per frame.

Nothing is recorded while the wall cannot show content (blanked, a test pattern, the
driver down). An item on screen for over MAX_PLAY_S is recorded in parts, so a power cut
loses at most that much of a long-running ticker or clock.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import hashlib
import logging
import threading
from typing import Callable

import pygame

from signage.render.priority import BACKGROUND_NICENESS, lowered
from signage.store.records import Play

log = logging.getLogger(__name__)

BATCH_EVERY_S = 60.0  # the oldest unwritten play waits at most this long
BATCH_PLAYS = 100  # or until this many are waiting
MAX_PLAY_S = 3600.0
MAX_UNWRITTEN = 10_000  # kept while the store cannot take them; the oldest go first


HASH_BAND_ROWS = 64


def frame_sha256(area: pygame.Surface) -> str:
    """The hash proof of play records for a picture: sha256 of its RGBX rows.

    Fed band by band: the same digest as of all rows at once, without an 8 MB copy of a
    1920x1080 picture in memory (and the GIL is free between bands)."""
    digest = hashlib.sha256()
    width, height = area.get_size()
    for top in range(0, height, HASH_BAND_ROWS):
        band = area.subsurface((0, top, width, min(HASH_BAND_ROWS, height - top)))
        digest.update(pygame.image.tobytes(band, "RGBX"))
    return digest.hexdigest()


def _frame_format(area: pygame.Surface) -> bool:
    """Whether `area` is in the frame format (a film frame shown as the frame is not: it
    has an alpha channel, always opaque, and a drawn copy of it differs in that byte)."""
    return area.get_bytesize() == 4 and area.get_masks()[3] == 0


def _copied(area: pygame.Surface) -> pygame.Surface:
    """`area` drawn into a frame-format surface, as a driver's copy of it is."""
    copy = pygame.Surface(area.get_size(), 0, 32)
    copy.blit(area, (0, 0))
    return copy


class FrameHasher:
    """Hashes zone areas of frames; in the background, on a worker, by default."""

    def __init__(self, background: bool = True):
        self._pool = (concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="proof", initializer=lowered(BACKGROUND_NICENESS))
            if background else None)
        self._spare: dict[tuple[int, int], list[pygame.Surface]] = {}
        self._lock = threading.Lock()

    def submit(self, frame: pygame.Surface, box: pygame.Rect,
               kept: pygame.Surface | None = None) -> concurrent.futures.Future:
        """The future hash of `box` in `frame` as it is now (the frame may change after).
        `kept`: the same pixels in a surface nobody draws over (Stage.kept_picture), hashed
        as it is instead of a copy of the frame when it is in the frame format."""
        area = frame.subsurface(box.clip(frame.get_rect()))
        if kept is not None and not _frame_format(kept):
            kept = None  # an alpha byte (an HDMI slot, a filter graph's frame): copied instead
        done: concurrent.futures.Future = concurrent.futures.Future()
        if self._pool is None:
            done.set_result(frame_sha256(kept if kept is not None else
                                         area if _frame_format(area) else _copied(area)))
            return done
        if kept is not None:
            return self._pool.submit(frame_sha256, kept)
        copy = self._buffer(area)
        copy.blit(area, (0, 0))  # the compositor draws the next frame into the same surface
        return self._pool.submit(self._hash_and_return, copy)

    def run(self, job: Callable[[], object]) -> concurrent.futures.Future:
        """Run `job` where hashes run (off the frame thread when in the background)."""
        if self._pool is not None:
            return self._pool.submit(job)
        done: concurrent.futures.Future = concurrent.futures.Future()
        try:
            done.set_result(job())
        except Exception as exc:  # handed to whoever reads the future, as a pool would
            done.set_exception(exc)
        return done

    def _buffer(self, area: pygame.Surface) -> pygame.Surface:
        # A kept buffer spares an 8 MB allocation (and its page faults) per item.
        with self._lock:
            spares = self._spare.get(area.get_size())
            if spares:
                return spares.pop()
        return pygame.Surface(area.get_size(), 0, 32)  # the frame format, whatever area's

    def _hash_and_return(self, copy: pygame.Surface) -> str:
        try:
            return frame_sha256(copy)
        finally:
            with self._lock:
                self._spare.setdefault(copy.get_size(), [])[:1] = [copy]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


@dataclasses.dataclass
class _Open:
    """An item on screen now in one zone."""

    stage: object
    index: object  # the zone's content index (or "standby")
    started_at: dt.datetime
    started_mono: float
    zone: str
    playlist: str | None
    item: int | None
    kind: str
    label: str
    revision: int | None
    digest: concurrent.futures.Future | None = None  # from its first full frame
    clock_trusted: bool = True
    emergency: int | None = None

    def ended(self, at: dt.datetime) -> Play:
        sha = None
        if self.digest is not None:
            try:
                sha = self.digest.result(timeout=5)
            except Exception as exc:  # a hash that failed leaves the play, without it
                log.warning("proof of play: no frame hash for %s: %s", self.label, exc)
        return Play(self.started_at, at, self.zone, self.playlist, self.item, self.kind,
                    self.label, self.revision, sha, self.clock_trusted, self.emergency)


class PlayRecorder:
    """Turns frames into plays: an open play per zone, a finished Play when it changes."""

    def __init__(self, hasher: FrameHasher):
        self.hasher = hasher
        self._open: dict[int, _Open] = {}
        self._seen: tuple = ()
        self._stage: object = None
        self._fading = False
        self._split_at = float("inf")
        self.clock_trusted = True  # whether plays opened now start believed

    def clock_checked(self, trusted: bool, jumped: bool = False) -> None:
        """What the player last learnt of the wall clock. Not believed, or just jumped:
        the plays on screen now may have wrong times or lengths, and so do those that
        open until it is believed again."""
        self.clock_trusted = trusted
        if jumped or not trusted:
            for play in self._open.values():
                play.clock_trusted = False

    def observe(self, wall: dt.datetime, now: float, stage, playlist: str | None,
                revision: int | None, fading: bool, frame: pygame.Surface,
                emergency: int | None = None) -> list[Play]:
        """The plays that ended with this frame. `stage` is the Stage just drawn;
        `emergency`, the id of the notice it shows (if it shows one)."""
        seen = tuple(stage.content)
        if (stage is self._stage and seen == self._seen and fading == self._fading
                and now < self._split_at):
            return []  # the usual frame: nothing changed
        self._stage, self._seen, self._fading = stage, seen, fading
        ended: list[Play] = []
        statuses = None
        still: dict[int, _Open] = {}
        for i, (zone, shown) in enumerate(zip(stage.zones, seen)):
            if shown is None:
                continue  # not drawn yet
            index = shown if shown == "standby" else shown[0]
            play = self._open.pop(i, None)
            if play is not None and (play.stage is not stage or play.index != index
                                     or now - play.started_mono >= MAX_PLAY_S):
                ended.append(play.ended(wall))
                play = None
            if play is None:
                statuses = statuses or stage.status(now)
                info = statuses[i]
                play = _Open(stage, index, wall, now, info["zone"], playlist, info["index"],
                             info["kind"], info["label"], revision,
                             clock_trusted=self.clock_trusted, emergency=emergency)
            settled = shown == "standby" or not shown[1]
            if play.digest is None and settled and not fading:
                play.digest = self.hasher.submit(frame, zone.box, stage.kept_picture(i))
            still[i] = play
        ended += [play.ended(wall) for play in self._open.values()]  # zones gone
        self._open = still
        self._split_at = min((p.started_mono + MAX_PLAY_S for p in still.values()),
                             default=float("inf"))
        return ended

    def end_all(self, wall: dt.datetime) -> list[Play]:
        """Close every open play now (the wall went dark, or the player stops)."""
        ended = [play.ended(wall) for play in self._open.values()]
        self._open, self._seen, self._stage = {}, (), None
        self._split_at = float("inf")
        return ended


class ProofOfPlay:
    """The player's proof-of-play recorder with its batches of unwritten plays."""

    def __init__(self, report: Callable[[str], None], background: bool = True):
        self.hasher = FrameHasher(background)
        self.recorder = PlayRecorder(self.hasher)
        self.report = report
        self.unwritten: list[Play] = []
        self.written = 0
        self._flush_at = float("inf")
        self._writing: tuple[concurrent.futures.Future, list[Play]] | None = None
        self._failing = False

    def clock_checked(self, trusted: bool, jumped: bool = False) -> None:
        """Whether the wall clock is believed, and whether it just jumped (PlayRecorder)."""
        self.recorder.clock_checked(trusted, jumped)

    def write_later(self, job: Callable[[], object]) -> concurrent.futures.Future:
        """Run `job` on the thread that writes plays (off the frame loop in the
        background): the player's other store writes go there too, one at a time."""
        return self.hasher.run(job)

    def frame(self, store, wall: dt.datetime, now: float, stage, playlist: str | None,
              revision: int | None, fading: bool, visible: bool, frame: pygame.Surface,
              emergency: int | None = None) -> None:
        """Note one presented frame; write a batch when one is due."""
        if visible:
            ended = self.recorder.observe(wall, now, stage, playlist, revision, fading, frame,
                                          emergency)
        else:
            ended = self.recorder.end_all(wall)
        if ended:
            if not self.unwritten:
                self._flush_at = now + BATCH_EVERY_S
            self.unwritten += ended
        if self.unwritten and (now >= self._flush_at or len(self.unwritten) >= BATCH_PLAYS):
            self.flush(store, now)

    def flush(self, store, now: float) -> None:
        """Hand the waiting plays to the store (off the frame thread in the background)."""
        self._collect()
        if store is None or self._writing is not None:
            self._flush_at = now + 1.0  # the store is not open yet, or still writing
            return
        batch, self.unwritten = self.unwritten, []
        if batch:
            self._flush_at = now + BATCH_EVERY_S
            self._writing = (self.hasher.run(lambda: store.records.record_plays(batch)), batch)
            self._collect()

    def _collect(self) -> None:
        """Count a finished write; put back a failed batch and report the failure once."""
        if self._writing is None or not self._writing[0].done():
            return
        (writing, batch), self._writing = self._writing, None
        error = writing.exception()
        if error is None:
            self.written += writing.result()
            if self._failing:
                log.info("proof of play: writing plays again")
        else:
            self.unwritten[:0] = batch  # kept for the next batch, the oldest dropped first
            del self.unwritten[:-MAX_UNWRITTEN]
            if not self._failing:
                self.report(f"proof of play: cannot write plays: {error}; they are kept "
                            "and retried")
        self._failing = error is not None

    def close(self, store, wall: dt.datetime) -> None:
        """End every open play now and write everything that waits."""
        self.unwritten += self.recorder.end_all(wall)
        if self._writing is not None:
            concurrent.futures.wait([self._writing[0]], timeout=10)
            self._collect()
        if store is not None and self.unwritten:
            batch, self.unwritten = self.unwritten, []
            try:
                self.written += store.records.record_plays(batch)
            except Exception as exc:
                log.warning("proof of play: %d plays not written at shutdown: %s", len(batch), exc)
        self.hasher.close()
