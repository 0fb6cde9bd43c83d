"""When a playlist will be on the wall: now, from a time under a rule, or not at all.

Approving is not showing: a playlist the schedule never names does not play. This says
which, for approvers and listings, from the same resolver the player follows. Pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from signage.schedule.desired import PLAY_NOW_RULE
from signage.schedule.resolver import HORIZON, Segment, timeline
from signage.schedule.rules import Schedule
from signage.schedule.state import PlayNow


@dataclasses.dataclass(frozen=True)
class Outlook:
    """`next_play` None: not in the schedule (within the horizon); equal to `now`: it is
    the schedule's choice now. `rule` None with a time: the schedule's default."""

    playlist: str
    next_play: dt.datetime | None
    rule: str | None
    until: dt.datetime | None  # when that stretch ends, if known

    def scheduled_at(self, now: dt.datetime) -> bool:
        return self.next_play is not None and self.next_play <= now

    def as_dict(self) -> dict:
        return {"next_play": self.next_play.isoformat() if self.next_play else None,
                "rule": self.rule, "until": self.until.isoformat() if self.until else None,
                "in_schedule": self.next_play is not None}


def outlook(name: str, now: dt.datetime, *, schedule: Schedule | None, active: str | None,
            published: set[str], play_now: PlayNow | None = None,
            plan: list[Segment] | None = None) -> Outlook:
    """When `name` next plays from `now` (aware) on: a play-now first, then the schedule
    (a stretch whose playlist is unpublished shows the default), or without a schedule
    the active playlist all the time. `plan`: the schedule's `timeline_ahead(schedule,
    now)`, when the caller asks about several playlists (it is the costly part)."""
    if play_now is not None and play_now.active(now) and play_now.playlist == name:
        return Outlook(name, now, PLAY_NOW_RULE, play_now.expires_at)
    if schedule is None:
        return Outlook(name, now, None, None) if name == active else Outlook(name, None, None, None)
    zone = schedule.zone
    for segment in plan if plan is not None else timeline_ahead(schedule, now):
        shown = segment.playlist if segment.playlist in published else (
            schedule.default if schedule.default in published else None)
        if shown == name:
            start = max(segment.start, now.astimezone(zone))
            rule = segment.rule if shown == segment.playlist else None
            return Outlook(name, start, rule, segment.end)
    return Outlook(name, None, None, None)


def timeline_ahead(schedule: Schedule, now: dt.datetime) -> list[Segment]:
    """The plan an outlook looks through: from `now` to the resolver's horizon."""
    return timeline(schedule, now, now + HORIZON)
