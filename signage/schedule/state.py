"""The desired state as values: emergency notices, technician overrides, an approver's
play-now, live content.

Plain records, no I/O: the store reads them from its tables, the desired-state decision
(`signage.schedule.desired`) and the player work from them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from signage.content.models import Message, Playlist


@dataclasses.dataclass(frozen=True)
class Emergency:
    """An urgent trilingual notice that takes over the panel from start to expiry."""

    id: int
    message: Message
    priority: int
    starts_at: dt.datetime
    expires_at: dt.datetime
    created_by: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancelled_by: str | None

    def active(self, now: dt.datetime) -> bool:
        return self.cancelled_at is None and self.starts_at <= now < self.expires_at

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["message"] = self.message.model_dump()
        for key, value in data.items():
            if isinstance(value, dt.datetime):
                data[key] = value.isoformat()
        return data


@dataclasses.dataclass(frozen=True)
class Override:
    """A technician's setting (brightness, power, test pattern) until it expires."""

    kind: str
    value: object
    expires_at: dt.datetime | None
    set_by: str
    set_at: dt.datetime

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclasses.dataclass(frozen=True)
class PlayNow:
    """An approver's "play now until": `playlist` above the schedule until `expires_at`."""

    playlist: str
    expires_at: dt.datetime
    set_by: str
    set_at: dt.datetime

    def active(self, now: dt.datetime) -> bool:
        return now < self.expires_at

    def as_dict(self) -> dict:
        return {"playlist": self.playlist, "expires_at": self.expires_at.isoformat(),
                "set_by": self.set_by, "set_at": self.set_at.isoformat()}


@dataclasses.dataclass(frozen=True)
class LiveContent:
    """What should be on screen: the active playlist at its live revision."""

    revision: int
    playlist: Playlist
