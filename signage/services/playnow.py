"""Play now until: an approver puts a published playlist on the wall above the schedule
until a time, without editing the schedule (desired state, audited, ends by itself)."""

from __future__ import annotations

import datetime as dt
import logging

from signage.clock import Clock
from signage.content.models import parse_duration
from signage.services.errors import Invalid, NotFound
from signage.store.access import Principal

log = logging.getLogger(__name__)

MAX_PLAY_NOW = dt.timedelta(days=7)  # longer than a week belongs in the schedule


def play_now_until(content, desired, clock: Clock, actor: Principal, playlist: str, *,
                   until: dt.datetime | None = None, duration: str | float | None = None):
    """Play `playlist` now, above the schedule, until `until` or for `duration`; NotFound
    if it is not published, Invalid naming the field for an end that cannot be used."""
    if playlist not in content.playlist_names():
        raise NotFound("playlist_not_published", f"no published playlist is named {playlist!r}; "
                       "approve it first (it is then listed by GET /api/playlists)",
                       playlist=playlist)
    now = clock.now()
    end = _end(now, until, duration)
    found = desired.set_play_now(playlist, end, actor.name, actor.role)
    log.info("play now: %s until %s, by %s", playlist, end.isoformat(), actor.name)
    return found


def stop_play_now(desired, actor: Principal):
    """The schedule decides again; the play-now that was set, or None."""
    was = desired.clear_play_now(actor.name, actor.role)
    if was is not None:
        log.info("play now of %s ended early by %s", was.playlist, actor.name)
    return was


def _end(now: dt.datetime, until: dt.datetime | None, duration: str | float | None) -> dt.datetime:
    if (until is None) == (duration is None):
        raise Invalid.field("until", "play_now_one_end", "give until (a time) or duration (e.g. 2h), "
                            "one of them")
    if duration is not None:
        try:
            end = now + dt.timedelta(seconds=parse_duration(duration))
        except ValueError as exc:
            raise Invalid.field("duration", "bad_duration", str(exc)) from None
        field = "duration"
    else:
        end, field = until.astimezone(dt.timezone.utc), "until"
    if end <= now:
        raise Invalid.field(field, "in_the_past", f"{end.isoformat()} has passed; give a later "
                            "time")
    if end - now > MAX_PLAY_NOW:
        raise Invalid.field(field, "play_now_too_long", "is more than 7 days away; for longer, add a "
                            "rule to the schedule")
    return end
