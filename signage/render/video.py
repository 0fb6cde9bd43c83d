"""Films: decoded by PyAV on a thread of their own into a small ring of ready frames.

The decoder thread decodes and has libswscale scale and convert each frame straight
into a frame-format surface (`filmconvert.SurfaceScaler`) taken from a ring the decoder
keeps: a surface is drawn over again once nobody holds it (no picture waiting or shown
has it, nor the player as its last frame, nor the driver showing it), so no memory is
allocated per frame. The frame loop only picks the picture whose time has come: when it
fills the panel the stage hands it on as the frame itself, otherwise it is blitted. A
player's ring is drawn in buffers the driver lends where it lends them (drivers.base),
so such a frame is shown with no copy at all; and the decoder refills the ring once the
loop's frame is out (`frame_out`), not while the loop draws it.
Decoding and swscale release the GIL. Where libswscale cannot be called directly, an
FFmpeg filter graph converts instead, and a surface is laid over its frame's memory.

Time is the item's own (`into`, seconds since it came on): a frame shows from its
presentation time until the next one's. Frames whose time has passed before they were
converted are dropped (counted); early ones wait in the ring. The ring holds at most
READY_FRAMES pictures (plus the one shown and the one being converted), so a film costs
a bounded amount of memory whatever its length.

Two ways to wait: the player's compositor never waits (a late decoder means the frame
on screen stays one more frame, counted as dropped), while tests and previews wait for
the exact frame, so a fake clock gives the same pictures every time.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import os
import sys
import threading
from pathlib import Path

import av
import pygame

from signage.content.models import VideoItem
from signage.render.filmfile import (SHORT_FILM_SLACK_S, FilmError, FilmInfo, declared_length,
                                     film_info, video_stream)
from signage.render.filmconvert import FrameConverter, surface_scaler
from signage.render.pictures import SPARE_SURFACES
from signage.render.priority import lower_this_thread

__all__ = ["FilmDecoder", "FilmError", "FilmInfo", "Picture", "VideoVisual", "declared_length",
           "film_info", "fitted_rect", "trimmed_length"]

log = logging.getLogger(__name__)

# How much lower the decoder threads' CPU priority is than the loop's. At +5 the frame
# loop's median fell (4.1 ms against 7 ms on a loaded 2-core box) but the starved decoder
# dropped 799 of 1800 frames; at 0 it dropped 15. A dedicated box may afford more.
DECODER_NICENESS = 0
# Frame threads: one per core. FFmpeg's own choice (cores + 1) kept a third decoding
# context and its frames (about 8 MB more at 1080p) and gave no more frames on 2 cores.
DECODE_THREADS = os.cpu_count() or 0
READY_FRAMES = 3  # converted frames waiting their turn (plus the one shown, one in the making)
SEEK_AHEAD_S = 2.0  # a request further ahead than this is reached by seeking, not decoding
WAIT_S = 10.0  # how long a waiting reader gives the decoder for one frame
# A frame counts as due this much before its time: half a frame of the 30 fps loop. The
# loop's frames start a little after their due times, by a varying amount; a film at
# the loop's own rate whose frame times fell right on those would otherwise show some
# frames twice and skip the next. Half a frame either way absorbs that.
PRESENT_LEAD_S = 0.5 / 30
EPS = 1e-6  # seconds: times that differ by less are the same (float sums of frame times)


@dataclasses.dataclass(frozen=True)
class Picture:
    """One converted frame: its play time, a surface over its pixels, and where that lies
    in the zone (the fit: it may be smaller than the zone, or larger and cropped)."""

    at: float
    surface: pygame.Surface
    rect: pygame.Rect
    frame: object  # the PyAV frame whose memory `surface` uses: alive as long as it is

    def draw(self, target: pygame.Surface, topleft: tuple[int, int], size: tuple[int, int]) -> None:
        """Blit the picture into the zone of `size` at `topleft`, black where it leaves bands."""
        zone = pygame.Rect(topleft, size)
        placed = self.rect.move(topleft)
        if not placed.contains(zone):
            target.fill((0, 0, 0), zone)  # contain: the bands beside the picture
        visible = placed.clip(zone)
        target.blit(self.surface, visible.topleft, visible.move(-placed.x, -placed.y))


def trimmed_length(item: VideoItem, length: float) -> float:
    """How long one play of the item's film lasts, after its start/end trims."""
    end = min(item.end, length) if item.end is not None else length
    return max(end - item.start, 0.0)


def fitted_rect(film: tuple[int, int], box: tuple[int, int], fit: str) -> pygame.Rect:
    """Where the scaled film lies in the box: the box (stretch), inside it centred with
    bands (contain) or over it centred and cropped (cover).

    >>> fitted_rect((1920, 1080), (768, 384), "contain")
    <rect(42, 0, 683, 384)>
    >>> fitted_rect((1920, 1080), (768, 384), "cover")
    <rect(0, -24, 768, 432)>
    """
    bw, bh = box
    fw, fh = max(film[0], 1), max(film[1], 1)
    if fit == "stretch":
        return pygame.Rect(0, 0, bw, bh)
    scale = (min if fit == "contain" else max)(bw / fw, bh / fh)
    w, h = max(1, round(fw * scale)), max(1, round(fh * scale))
    return pygame.Rect((bw - w) // 2, (bh - h) // 2, w, h)


class FilmDecoder:
    """One play of a film, decoded ahead on its own thread into `READY_FRAMES` slots.

    Times are the play's own: 0 is the (trimmed) film's first frame; the film loops
    seamlessly (the decoder seeks back to the start and carries on, adding the length
    of each loop to the times). `frame_at(into)` gives the slot to show at `into`.
    """

    def __init__(self, path: Path, size: tuple[int, int], fit: str, *, start: float = 0.0,
                 end: float | None = None, wait: bool = False, declared: float = 0.0,
                 surfaces=SPARE_SURFACES):
        """`surfaces`: where the ring's surfaces come from and go back to (take/give):
        the spares, or buffers the driver lends (pictures.LentBuffers)."""
        self.path, self.size, self.fit = Path(path), tuple(size), fit
        self.start, self.end, self.wait = start, end, wait
        self.declared = declared  # the header's length: a film that ends well short is cut off
        self.dropped = 0  # frames never shown: converted too late or skipped by a late decoder
        self.error: str | None = None
        self.ended_at: float | None = None  # play time where a broken film stops
        self._cond = threading.Condition()
        self._ready: collections.deque[Picture] = collections.deque()
        self._shown: Picture | None = None
        self._wanted = 0.0
        # Frames the loop took whose room the decoder does not have yet: a player's decoder
        # fills the ring once the frame is out (frame_out), not while the loop draws it.
        self._held_room = 0
        self._target: float | None = None  # a seek the reader asked for
        self._sought: float | None = None  # where the last seek went (frames on their way)
        self._stop = False
        # The decoder thread's: swscale writing into a ring of frame-format surfaces, or
        # (where it cannot be loaded) a filter graph's pooled frames.
        self._scaler = surface_scaler()
        self._pool = surfaces
        self._surfaces: list[pygame.Surface] = []
        self._converter: FrameConverter | None = None
        self._thread = threading.Thread(target=self._run, name=f"film-{self.path.name[:12]}",
                                        daemon=True)
        self._thread.start()

    @property
    def nbytes(self) -> int:
        return (READY_FRAMES + 2) * 4 * self.size[0] * self.size[1]  # at most, for a cover fit

    # --- the frame loop's side ---------------------------------------------------------

    def frame_at(self, into: float) -> Picture | None:
        """The frame to show `into` seconds into the play, and its time; None before the
        first frame is ready (the caller keeps what it showed). FilmError once the film
        broke and has nothing for `into`."""
        into += PRESENT_LEAD_S
        with self._cond:
            self._wanted = into
            if self._needs_seek(into):
                self._seek_locked(into)
            if self.wait:  # taking due frames makes room in the ring for the ones after
                self._cond.wait_for(lambda: self._take_due(into) or self._has_after(into)
                                    or self._finished(), timeout=WAIT_S)
            self._take_due(into)
            if self._shown is None and self.error is not None:
                raise FilmError(self.error)
            if self.ended_at is not None and into >= self.ended_at and not self._ready:
                raise FilmError(self.error or f"the film stops at {self.ended_at:.1f}s")
            return self._shown

    def _needs_seek(self, into: float) -> bool:
        if self._sought is not None and self._sought - 1e-6 <= into <= self._sought + SEEK_AHEAD_S:
            return False  # the frames of the last seek are on their way
        newest = self._ready[-1].at if self._ready else (self._shown.at if self._shown else 0.0)
        behind = self._shown is not None and into < self._shown.at - 1e-6
        return behind or into > newest + SEEK_AHEAD_S

    def _seek_locked(self, into: float) -> None:
        self._target = self._sought = into
        self._ready.clear()
        self._held_room = 0
        self._cond.notify_all()

    def _has_after(self, into: float) -> bool:
        return bool(self._ready) and self._ready[-1].at > into + EPS and self._target is None

    def _finished(self) -> bool:
        return self._stop or self.error is not None or self.ended_at is not None

    def _take_due(self, into: float) -> None:
        """Show the newest frame due at `into`; due frames older than it are dropped.
        (Returns None, so it can run inside a wait_for predicate.)"""
        taken = 0
        while self._ready and self._ready[0].at <= into + EPS:
            entry, taken = self._ready.popleft(), taken + 1
            if self._ready and self._ready[0].at <= into + EPS:
                self.dropped += 1  # a newer frame is due too: this one is never shown
                continue
            self._shown = entry
        if not taken:
            return  # no room made: no need to wake the decoder
        self._held_room += taken
        # Waiting readers (tests, previews) need the next frames now, and a ring run dry
        # must refill at once; a player's decoder otherwise waits for frame_out().
        if self.wait or not self._ready:
            self._room_made()

    def frame_out(self) -> None:
        """The frame loop's frame is presented: the decoder may fill the room it made.

        Decoding and converting while the loop draws and the driver copies its frame made
        both slower: the two threads took the GIL from each other around every C call, and
        swscale's 8 MB of writes competed with the driver's copy for memory. Started here,
        the decoder works while the loop waits for its next tick."""
        if self._held_room:  # read unlocked: an int; a change missed now is seen next frame
            with self._cond:
                self._room_made()

    def _room_made(self) -> None:
        self._held_room = 0
        self._cond.notify_all()

    def wait_first(self, timeout: float = WAIT_S) -> None:
        """Wait until the first frame is ready (the prefetch's job: a film that comes on
        has its first frames decoded). FilmError if the film cannot play at all."""
        with self._cond:
            self._cond.wait_for(lambda: self._ready or self._shown or self._finished(), timeout)
            if not self._ready and self._shown is None and self.error is not None:
                raise FilmError(self.error)

    def close(self) -> None:
        """Stop the thread (it ends by itself shortly; nobody waits for it)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    # --- the decoder thread --------------------------------------------------------------

    def _run(self) -> None:
        lower_this_thread(DECODER_NICENESS)  # the codec threads FFmpeg starts inherit it
        try:
            with av.open(str(self.path), metadata_errors="ignore") as container:
                stream = video_stream(container)
                stream.thread_type = "AUTO"  # frame threads: decoding keeps up on 2 cores
                stream.codec_context.thread_count = DECODE_THREADS
                self._decode_loops(container, stream)
        except Exception as exc:  # a damaged film must cost one item, not the player
            with self._cond:
                self.error = f"cannot decode the film {self.path.name}: {exc}"
                self._cond.notify_all()
        finally:
            self._let_go()

    def _let_go(self) -> None:
        """Free the frames waiting and the converter's buffer pool here, on the decoder
        thread (unmapping 8 MB buffers one by one costs the frame loop milliseconds); the
        ring's surfaces nobody holds go to the spares, to be drawn over by what comes next."""
        with self._cond:
            if not self._stop:
                return  # stopped by an error: the reader may still show what is ready
            waiting, self._ready = self._ready, collections.deque()
        waiting.clear()
        self._converter = None
        if self._scaler is not None:
            self._scaler.close()
        for surface in self._surfaces:
            if _references(surface) <= UNHELD_REFERENCES:
                self._pool.give(surface)
        self._surfaces = []

    def _decode_loops(self, container, stream) -> None:
        offset = 0.0  # play time of the current loop's first frame
        while not self._stop:
            with self._cond:
                target, self._target = self._target, None
            skip_to = self.start
            if target is not None:  # the reader jumped: restart in the loop holding target
                length = self._expected_length()
                offset = target - target % length if length > 0 else 0.0
                skip_to = self.start + (target - offset)
            length = self._decode_once(container, stream, offset, skip_to)
            if length is None:
                continue  # interrupted by a seek or a stop
            if length <= 0:
                raise FilmError("the film has no frames")
            if self.declared and length < self._expected_length() - SHORT_FILM_SLACK_S:
                self._broken_at(offset + length, length)
                continue
            offset += length

    def _broken_at(self, play_time: float, length: float) -> None:
        """The film ended well before its header said: report it and wait for a seek."""
        with self._cond:
            self.ended_at = play_time
            self.error = (f"the film {self.path.name} stops at {length:.1f}s of "
                          f"{self._expected_length():.1f}s; it is damaged or truncated")
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._stop or self._target is not None)
            if self._target is not None:
                self.ended_at = self.error = None

    def _expected_length(self) -> float:
        if not self.declared:
            return 0.0
        end = min(self.end, self.declared) if self.end is not None else self.declared
        return end - self.start

    def _decode_once(self, container, stream, offset: float, skip_to: float) -> float | None:
        """Decode one pass from `skip_to`; the pass's length, or None if interrupted."""
        base = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        container.seek(int((base + skip_to) / stream.time_base) if skip_to > 0 else
                       (stream.start_time or 0), stream=stream, backward=True, any_frame=False)
        last_end = 0.0
        default_span = 1 / float(stream.average_rate or 30)
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            film_t = float(frame.pts * stream.time_base) - base
            span = float(frame.duration * stream.time_base) if frame.duration else 0.0
            if film_t + max(span, 1e-3) <= skip_to + 1e-6 and film_t < skip_to:
                continue  # before where this pass starts (after a seek to a keyframe)
            if self.end is not None and film_t >= self.end - 1e-6:
                break
            at = offset + film_t - self.start
            last_end = film_t - self.start + (span or default_span)
            if not self._deliver(frame, at, span):
                return None
        return last_end

    def _deliver(self, frame, at: float, span: float) -> bool:
        """Convert `frame` into a free slot and queue it for `at`; False if the pass must
        stop (a seek or a stop)."""
        with self._cond:
            if self._stop or self._target is not None:
                return False
            if at + max(span, 1e-3) <= self._wanted:
                self.dropped += 1  # its time is over before it was even converted
                return True
            self._cond.wait_for(lambda: len(self._ready) + self._held_room < READY_FRAMES
                                or self._stop or self._target is not None)
            if self._stop or self._target is not None:
                return False
        picture = self._convert(frame, at)
        with self._cond:
            if self._target is not None:
                return False
            self._ready.append(picture)
            self._cond.notify_all()
        return True

    def _free_surface(self, size: tuple[int, int]) -> pygame.Surface:
        """A surface of the ring that nobody holds, to be drawn over whole; the ring grows
        while none is free (to READY_FRAMES + 3 or so: the ready, the shown, the one shown
        before it, which the player may still hold, and this one)."""
        for surface in self._surfaces:
            if surface.get_size() == size and _references(surface) <= UNHELD_REFERENCES:
                return surface
        surface = self._pool.take(size)
        self._surfaces.append(surface)
        return surface

    def _convert(self, frame, at: float) -> Picture:
        rect = fitted_rect((frame.width, frame.height), self.size, self.fit)
        if self._scaler is not None:
            surface = self._free_surface(rect.size)
            try:
                self._scaler.scale_into(frame, surface)
                return Picture(at, surface, rect, None)
            except (ValueError, AttributeError, OSError) as exc:  # the graph can still play it
                log.warning("film %s: converting through a filter graph: %s", self.path.name, exc)
                self._scaler = None
        if self._converter is None or self._converter.size != rect.size:
            self._converter = FrameConverter(rect.size)
        converted = self._converter.convert(frame)
        plane = converted.planes[0]
        surface = pygame.image.frombuffer(_rows(plane, rect.width, rect.height),
                                          (rect.width, rect.height), "BGRA")
        # The fourth byte is the frame format's unused X, not transparency: a plain copy.
        surface.set_alpha(None)
        return Picture(at, surface, rect, converted)


def _references(surface) -> int:
    """sys.getrefcount of `surface`, called as `for surface in ring: _references(surface)`."""
    return sys.getrefcount(surface)


def _ring_only_references() -> int:
    """What `_references` says of something only its ring holds (the ring, the loop
    variable, the parameter and getrefcount's own: 4 on CPython 3.11), measured the way it
    is used, so an interpreter that counts borrowed references differently is right too."""
    ring = [object()]
    for item in ring:
        return _references(item)
    raise AssertionError("the ring has an item")


# A ring surface is drawn over only when nothing else holds it: no picture waiting or
# shown, nor the player's last frame, nor a copy under way.
UNHELD_REFERENCES = _ring_only_references()


def _rows(plane, width: int, height: int):
    """The plane's pixels as `height` rows of `width` pixels: the plane itself (no copy)
    when FFmpeg did not pad its rows, which it does not for widths a multiple of 16."""
    row = width * 4
    if plane.line_size == row:
        return memoryview(plane)[: row * height]
    data = memoryview(plane)
    return b"".join(data[y * plane.line_size: y * plane.line_size + row] for y in range(height))


class VideoVisual:
    """A film item's picture: the decoder's current frame, with its caption band over it."""

    def __init__(self, decoder: FilmDecoder, caption: pygame.Surface | None = None):
        self.decoder = decoder
        self.caption = caption
        self.size = decoder.size
        self.nbytes = decoder.nbytes
        self._shown: Picture | None = None
        self._into: float | None = None
        self._composed: pygame.Surface | None = None

    def _picture(self, into: float) -> Picture | None:
        if into != self._into:
            self._shown = self.decoder.frame_at(into) or self._shown
            self._into = into
        return self._shown

    def frame_out(self) -> None:
        self.decoder.frame_out()

    def key(self, into: float, now) -> object:
        shown = self._picture(into)
        return shown.at if shown else None

    def draw(self, target: pygame.Surface, topleft: tuple[int, int], into: float, now) -> None:
        shown = self._picture(into)
        if shown is None:
            return  # nothing decoded yet: what was there stays (never a black frame)
        shown.draw(target, topleft, self.size)
        if self.caption is not None:
            target.blit(self.caption, (topleft[0], topleft[1] + self.size[1] - self.caption.get_height()))

    def whole_frame(self, into: float) -> pygame.Surface | None:
        """The frame at `into` if it is the zone's whole picture as it is (it fills the zone
        exactly and has no caption to draw over it), to be shown without a copy; None if
        not, or before the first frame."""
        shown = self._picture(into)
        if shown is None or self.caption is not None or shown.rect != ((0, 0), self.size):
            return None
        return shown.surface

    def picture(self, into: float, now) -> pygame.Surface:
        """The zone-size picture in the frame format (for transitions): the film frame
        itself when it fills the zone as it is, else a copy with bands or caption."""
        whole = self.whole_frame(into)
        if whole is not None:
            return whole
        if self._composed is None:  # a spare: making an 8 MB surface holds the GIL for ms
            self._composed = SPARE_SURFACES.take(self.size)
        if self._picture(into) is None:
            self._composed.fill((0, 0, 0))
        self.draw(self._composed, (0, 0), into, now)
        return self._composed

    @property
    def position(self) -> float | None:
        """The play time of the frame on screen (for the status page)."""
        return self._shown.at if self._shown else None

    def close(self) -> None:
        """Stop the decoder; the transition buffer goes back to be drawn over."""
        self.decoder.close()
        composed, self._composed = self._composed, None
        if composed is not None:
            SPARE_SURFACES.give(composed)
