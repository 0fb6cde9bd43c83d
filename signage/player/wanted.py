"""The desired state the player follows, read from the store for the pure decision
(signage.schedule.desired.decide)."""

from __future__ import annotations

import datetime as dt

from signage.schedule.desired import Wanted
from signage.store.content import Content
from signage.store.desired import Desired


def read_wanted(content: Content, desired: Desired, now: dt.datetime) -> Wanted:
    """Everything the player follows at `now`: the schedule (or active playlist), the
    notices not yet over and the overrides not expired."""
    live = content.live_schedule()
    return Wanted(
        schedule=live[1] if live else None, schedule_revision=live[0] if live else None,
        active_playlist=content.active_playlist(),
        emergencies=desired.emergencies(current_at=now),
        overrides=desired.overrides(active_at=now),
        play_now=desired.play_now(active_at=now),
    )
