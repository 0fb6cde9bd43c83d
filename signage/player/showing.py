"""What the player was last asked to show, for the status document and proof of play."""

from __future__ import annotations

import dataclasses

from signage.content.models import Playlist


@dataclasses.dataclass(frozen=True)
class Showing:
    """What play() was last asked to show: its key, and the playlist with its revision."""

    key: object = None
    playlist: Playlist | None = None
    revision: int | None = None

    @property
    def name(self) -> str | None:
        return self.playlist.name if self.playlist else None

    @property
    def emergency_id(self) -> int | None:
        """The emergency notice shown (its key is ("emergency", id)), else None."""
        key = self.key
        return key[1] if isinstance(key, tuple) and key[0] == "emergency" else None
