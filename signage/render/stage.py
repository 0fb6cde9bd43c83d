"""Zones on the panel, each playing its own items in time, drawn only when they change.

Each zone's item, its place in a transition and its picture are pure functions of the
time since the playlist started (and of the wall time, for clocks). A zone is redrawn
into the frame only when that picture's key differs from the one drawn last (dirty
regions), so a static frame costs a few dictionary look-ups and a steady ticker costs
the copy of its strip. Every zone's picture is opaque and fills its box, so a zone is
drawn only where no later zone lies over it: a full-panel crossfade under a ticker and a
clock blends only the part that shows, and the zones on top need no redraw.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Callable, Hashable

import pygame

from signage.content.models import (MIN_DURATION_S, AnyItem, Playlist, StandbyItem, Transition,
                                    VideoItem, Zone)
from signage.render.compositor import STANDBY_ITEM, Compositor
from signage.render.items import ItemError, item_key, item_label
from signage.render.pictures import background
from signage.render.transitions import draw_transition
from signage.render.video import FilmError, VideoVisual
from signage.content.sequence import position

log = logging.getLogger(__name__)

# The next item is prepared once the current one has finished coming in (a decode on the
# worker competes with the frame thread, and transition frames are the costly ones), or
# this long before it ends, whichever comes first.
PREFETCH_LEAD_S = 1.0


@dataclasses.dataclass(frozen=True)
class Moment:
    """Where a zone is at a time: its item, how far into it, and any transition under way."""

    index: int
    into: float
    remaining: float
    previous: int | None = None  # the item being replaced, during a transition
    progress: float = 1.0
    kind: str = "cut"
    loop: int = 0  # how many times the zone's items have come round (a film plays anew each time)


def visible_parts(box: pygame.Rect, covers: list[pygame.Rect],
                  panel: pygame.Rect) -> list[pygame.Rect]:
    """The parts of `box` on the panel that no rectangle in `covers` hides, as disjoint rects.

    >>> visible_parts(pygame.Rect(0, 0, 10, 10), [pygame.Rect(0, 6, 10, 4)], pygame.Rect(0, 0, 10, 10))
    [<rect(0, 0, 10, 6)>]
    """
    parts = [box.clip(panel)]
    for cover in covers:
        parts = [piece for part in parts for piece in _minus(part, cover)]
    return [part for part in parts if part.width and part.height]


def _minus(rect: pygame.Rect, cover: pygame.Rect) -> list[pygame.Rect]:
    """`rect` less `cover`: up to four bands (above, below, left, right of it)."""
    if not rect.colliderect(cover):
        return [rect]
    top, bottom = max(rect.top, cover.top), min(rect.bottom, cover.bottom)
    pieces = [pygame.Rect(rect.left, rect.top, rect.width, top - rect.top),
              pygame.Rect(rect.left, bottom, rect.width, rect.bottom - bottom),
              pygame.Rect(rect.left, top, cover.left - rect.left, bottom - top),
              pygame.Rect(cover.right, top, rect.right - cover.right, bottom - top)]
    return [piece for piece in pieces if piece.width > 0 and piece.height > 0]


class ZonePlay:
    """One zone's sequence: which item plays when, and dropping items that failed."""

    def __init__(self, zone: Zone, box: pygame.Rect, default: Transition,
                 film_length: Callable[[VideoItem], float | None] = lambda item: None):
        self.name = zone.zone
        self.box = box
        self.default = default
        self.items: list[AnyItem] = [_timed(item, film_length) for item in zone.items]
        self.origin = list(range(len(self.items)))  # index in the document, for reports
        self.keys = [item_key(item) for item in self.items]
        self.started = 0.0

    def moment(self, t: float) -> Moment | None:
        if not self.items:
            return None
        elapsed = t - self.started
        if len(self.items) == 1:  # one item never replaces itself: it just goes on
            duration = self.items[0].duration
            return Moment(0, max(elapsed, 0.0), duration - max(elapsed, 0.0) % duration)
        pos = position([item.duration for item in self.items], elapsed)
        item = self.items[pos.index]
        transition = item.transition or self.default
        seconds = min(transition.seconds, item.duration)
        first_ever = pos.index == 0 and pos.loop == 0
        if first_ever or pos.into >= seconds:
            return Moment(pos.index, pos.into, pos.remaining, loop=pos.loop)
        previous = (pos.index - 1) % len(self.items)
        return Moment(pos.index, pos.into, pos.remaining, previous, pos.into / seconds,
                      transition.kind, pos.loop)

    def visual_key(self, index: int, loop: int) -> Hashable:
        """The compositor's key for item `index` in round `loop`: a film plays from its start
        each round, so each round has its own decoder (the next one opened ahead)."""
        if isinstance(self.items[index], VideoItem) and len(self.items) > 1:
            return (self.keys[index], loop)
        return self.keys[index]

    def drop(self, index: int, t: float) -> None:
        """Remove a failed item; the one after it starts now, without a jump in timing."""
        start = sum(item.duration for item in self.items[:index])
        for seq in (self.items, self.origin, self.keys):
            del seq[index]
        self.started = t - start

    def status(self, t: float) -> dict:
        moment = self.moment(t)
        if moment is None:
            return {"zone": self.name, "index": None, "kind": "standby", "label": "standby",
                    "remaining_s": None}
        item = self.items[moment.index]
        return {"zone": self.name, "index": self.origin[moment.index], "kind": item.kind,
                "label": item_label(item), "remaining_s": round(moment.remaining, 2)}


class Stage:
    """A playlist laid out on the panel and drawn into the compositor's frame."""

    def __init__(self, compositor: Compositor, playlist: Playlist | None,
                 report: Callable[[str], None] | None = None, *, direct: bool = False):
        """`direct`: a film frame that fills the panel may be handed on as the frame itself
        (see `frame`); the player's stages do this, previews and tests draw every frame."""
        self.compositor = compositor
        self.direct = direct
        self.frame = compositor.frame  # what render() drew last: to be presented
        self.name = playlist.name if playlist else None
        self.report = report or (lambda message: log.warning("%s", message))
        panel = compositor.size
        if playlist is None:
            playlist = Playlist(name="standby", items=[STANDBY_ITEM])
        self.layout = playlist.layout is not None
        self.zones = [ZonePlay(zone, pygame.Rect(zone.box(panel)), playlist.transition,
                               compositor.film_length)
                      for zone in playlist.zones()]
        self.zones = [zone for zone in self.zones if zone.box.width and zone.box.height]
        # Later zones lie on top: each zone is drawn only in the parts of its box they leave.
        self.visible = [visible_parts(zone.box, [later.box for later in self.zones[i + 1:]],
                                      pygame.Rect((0, 0), panel))
                        for i, zone in enumerate(self.zones)]
        self.drawn: list[Hashable] = [None] * len(self.zones)
        self.shown: list[tuple | None] = [None] * len(self.zones)  # (visual, into) drawn last
        self.content: list[Hashable] = [None] * len(self.zones)
        self.prefetched: list[int | None] = [None] * len(self.zones)
        self.fresh = True
        self.changed = True  # an item or transition changed in the last frame drawn
        self.moving = False  # a transition is under way
        self.film = False  # a film is on screen (its frames change all the time)
        # Cleared while the whole stage fades in over the old picture (the player's fade
        # is a transition too: its frames cost most, and memory holds both pictures).
        self.prefetching = True

    def start(self, t: float) -> None:
        for zone in self.zones:
            zone.started = t

    # --- preparing ------------------------------------------------------------------

    def prefetch(self, t: float) -> None:
        """Ask for the pictures each zone shows at `t`, to be ready when the stage starts."""
        for zone in self.zones:
            moment = zone.moment(t)
            if moment is not None:
                self.compositor.prefetch(zone.items[moment.index], zone.box.size,
                                         zone.visual_key(moment.index, moment.loop))

    def ready(self, t: float) -> bool:
        for zone in self.zones:
            moment = zone.moment(t)
            if moment is not None and not self.compositor.is_ready(
                    zone.items[moment.index], zone.box.size,
                    zone.visual_key(moment.index, moment.loop)):
                return False
        return True

    # --- drawing --------------------------------------------------------------------

    def render(self, t: float, now: dt.datetime) -> list[pygame.Rect]:
        """Bring the frame up to time `t`; the rectangles that changed.

        The frame is the compositor's, or, when the bottom zone fills the panel with a film
        frame as it is (and the stage is `direct`), that film frame itself with the other
        zones drawn over it: the film is then never copied by the frame loop, only by the
        driver. The compositor's frame is redrawn whole when it is used again."""
        self.changed = self.moving = self.film = False
        zones = [self._zone(i, zone, t, now) for i, zone in enumerate(self.zones)]
        cover = zones[0][2] if zones and self.direct else None
        if cover is not None:
            return self._render_over(cover, zones)
        frame = self.compositor.frame
        dirty: list[pygame.Rect] = []
        everything = self.fresh or self.frame is not frame
        if self.fresh:
            # Parts of the panel no zone covers show the backdrop, never an old picture.
            frame.blit(background(self.compositor.size), (0, 0))
            dirty.append(frame.get_rect())
            self.fresh = False
        for i, (key, draw, _cover) in enumerate(zones):
            if (everything or key != self.drawn[i]) and self.visible[i]:
                draw(frame, self.visible[i])
                dirty += self.visible[i]
            self.drawn[i] = key
        frame.set_clip(None)
        self.frame = frame
        self.compositor.end_frame(calm=not self.moving)
        return dirty

    def _render_over(self, cover: pygame.Surface, zones: list) -> list[pygame.Rect]:
        """The film frame `cover` as the frame, the zones above it drawn over it (only
        where they changed, when it is the frame of last time)."""
        again = cover is self.frame
        dirty = [] if again else [cover.get_rect()]
        self.drawn[0] = zones[0][0]
        for i, (key, draw, _cover) in enumerate(zones[1:], start=1):
            if (not again or key != self.drawn[i]) and self.visible[i]:
                draw(cover, self.visible[i])
                dirty += self.visible[i]
            self.drawn[i] = key
        cover.set_clip(None)
        self.frame = cover
        self.compositor.end_frame(calm=not self.moving)
        return dirty

    def _zone(self, i: int, zone: ZonePlay, t: float, now: dt.datetime):
        """The picture key of zone i at t, and how to draw it."""
        while True:
            moment = zone.moment(t)
            if moment is None:
                return self._standby(i, zone)
            try:
                current = self._visual(zone, moment.index, moment.loop)
                current_key = current.key(moment.into, now)  # a film can break as it plays
            except (ItemError, FilmError) as exc:
                self._drop(zone, moment.index, t, exc)
                continue
            break
        if self.prefetching and (moment.previous is None or moment.remaining <= PREFETCH_LEAD_S):
            self._prefetch_next(i, zone, moment.index, moment.loop)
        self.film |= isinstance(current, VideoVisual)
        content = (moment.index, moment.previous is not None)
        previous = None
        if moment.previous is not None:
            try:
                previous = self._visual(zone, moment.previous,
                                        moment.loop - (moment.previous > moment.index))
            except ItemError:
                previous = None  # it was on screen a moment ago; if it is gone now, cut
        self.changed |= content != self.content[i]
        self.content[i] = content
        box = zone.box
        self.shown[i] = (current, moment.into) if previous is None else None
        if previous is None:
            key = ("item", moment.index, current_key)

            def draw(frame, parts):
                for part in parts:
                    frame.set_clip(part)
                    current.draw(frame, box.topleft, moment.into, now)
            return key, draw, self._cover(zone, current, moment.into)
        self.moving = self.changed = True
        before_into = zone.items[moment.previous].duration + moment.into
        key = ("transition", moment.index, moment.progress)

        def draw_blend(frame, parts):
            before, after = previous.picture(before_into, now), current.picture(moment.into, now)
            for part in parts:
                frame.set_clip(part)
                draw_transition(moment.kind, frame, box, before, after, moment.progress)
        return key, draw_blend, None

    def _cover(self, zone: ZonePlay, visual, into: float) -> pygame.Surface | None:
        """The film frame that is the whole panel's picture as it is, if there is one."""
        if zone.box.topleft != (0, 0) or zone.box.size != self.compositor.size:
            return None
        whole = getattr(visual, "whole_frame", None)
        return whole(into) if whole is not None else None

    def _visual(self, zone: ZonePlay, index: int, loop: int):
        return self.compositor.visual(zone.items[index], zone.box.size, zone.visual_key(index, loop))

    def _standby(self, i: int, zone: ZonePlay):
        self.changed |= self.content[i] != "standby"
        self.content[i] = "standby"
        card = self.compositor.visual(STANDBY_ITEM, zone.box.size)
        self.shown[i] = (card, 0.0)

        def draw(frame, parts):
            for part in parts:
                frame.set_clip(part)
                card.draw(frame, zone.box.topleft, 0.0, None)
        return "standby", draw, None

    def _prefetch_next(self, i: int, zone: ZonePlay, index: int, loop: int) -> None:
        if self.prefetched[i] != index and len(zone.items) > 1:
            upcoming = (index + 1) % len(zone.items)
            self.compositor.prefetch(zone.items[upcoming], zone.box.size,
                                     zone.visual_key(upcoming, loop + (upcoming == 0)))
            self.prefetched[i] = index

    def _drop(self, zone: ZonePlay, index: int, t: float, exc: Exception) -> None:
        where = f"{self.name} zone {zone.name}" if self.layout else self.name
        self.report(f"skipping item {zone.origin[index]} ({zone.items[index].kind}) of {where}: {exc}")
        zone.drop(index, t)
        self.prefetched = [None] * len(self.zones)

    def kept_picture(self, i: int) -> pygame.Surface | None:
        """Zone i's pixels in the frame just drawn, as a surface that stays as it is while
        held: an image's own picture, or a film frame (its ring never draws over a frame
        somebody holds). Only when the zone shows that picture whole, as is, with no zone
        over it; None otherwise. Proof of play hashes it (when it is in the frame format)
        instead of an 8 MB copy of the frame, which cost the frame that made it 1 to 6 ms."""
        shown = self.shown[i]
        box = self.zones[i].box
        if shown is None or self.visible[i] != [box]:
            return None
        visual, into = shown
        if isinstance(visual, VideoVisual):
            picture = visual.whole_frame(into)
        else:
            picture = getattr(visual, "surface", None)  # a still picture, drawn as it is
        return picture if picture is not None and picture.get_size() == box.size else None

    # --- reporting ------------------------------------------------------------------

    @property
    def standby(self) -> bool:
        """Whether every zone shows the standby card (nothing in the playlist can play)."""
        return all(not zone.items or isinstance(zone.items[0], StandbyItem) and len(zone.items) == 1
                   for zone in self.zones)

    def status(self, t: float) -> list[dict]:
        return [self._with_film(zone, zone.status(t), t) for zone in self.zones]

    def _with_film(self, zone: ZonePlay, status: dict, t: float) -> dict:
        """A zone playing a film also says where the film is and how many frames it dropped."""
        moment = zone.moment(t)
        if moment is None or not isinstance(zone.items[moment.index], VideoItem):
            return status
        visual = self.compositor.cached(zone.items[moment.index], zone.box.size,
                                        zone.visual_key(moment.index, moment.loop))
        if isinstance(visual, VideoVisual):
            position = visual.position
            status["film"] = {"position_s": None if position is None else round(position, 2),
                              "dropped_frames": visual.decoder.dropped}
        return status


def _timed(item: AnyItem, film_length: Callable[[VideoItem], float | None]) -> AnyItem:
    """A film item without a duration lasts its (trimmed) film's length times its loops."""
    if not isinstance(item, VideoItem) or item.duration is not None:
        return item
    length = film_length(item)
    # A film that cannot be opened fails when it comes on; until then it holds its place.
    return item.model_copy(update={"duration": item.playing_time(length or MIN_DURATION_S)})
