"""Approvals and rejections as their authors see them: who decided, when, and why.

`recent_decisions` feeds the partial templates/partials/decision.html; the approvals page
lists them, and the playlist page can include the same partial for one playlist:

    {% for decision in decisions %}{% include "partials/decision.html" %}{% endfor %}

with `decisions = recent_decisions(store.revisions, zone, name=playlist_name)`.
"""

from __future__ import annotations

import dataclasses

from signage.console.localtime import shown
from signage.store.revisions import Revisions


@dataclasses.dataclass(frozen=True)
class Decision:
    revision: int
    kind: str
    name: str
    state: str  # "approved" or "rejected"
    author: str
    decided_by: str | None
    decided_at: str  # local dd/mm/yyyy HH:MM
    reason: str | None


def recent_decisions(revisions: Revisions, zone: str, author: str | None = None,
                     name: str | None = None, limit: int = 10) -> list[Decision]:
    """The latest decisions (on `author`'s revisions, on the playlist `name`), newest first."""
    return [Decision(info.id, info.kind, info.name, info.state, info.author, info.decided_by,
                     shown(info.decided_at, zone), info.reason)
            for info in revisions.decided(author=author, name=name, limit=limit)]
