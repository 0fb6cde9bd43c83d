"""Emergency notices: an urgent trilingual notice that takes the whole panel until it ends.

Stored as desired state, so it survives restarts of either process; the player shows the
highest-priority current notice within a second. The store audits each post and cancel.
"""

from __future__ import annotations

import logging

from signage.clock import Clock
from signage.content.documents import Document, DocumentError, as_document, validate_emergency
from signage.errors import StoreError
from signage.services.errors import Invalid, NotFound
from signage.store.access import Principal

log = logging.getLogger(__name__)

NOT_STORED = "the emergency notice was not stored; nothing is shown"


def post_emergency(store, clock: Clock, actor: Principal, source: Document | str | bytes,
                   as_json: bool | None = None):
    """Check and store a notice (its window starts now unless it says when); Invalid lists
    the problems. Returns the stored Emergency."""
    try:
        notice, starts_at, expires_at = validate_emergency(as_document(source, as_json),
                                                           clock.now())
    except DocumentError as exc:
        raise Invalid("emergency_invalid", NOT_STORED, exc.problems) from None
    emergency = store.add_emergency(notice.text, expires_at, actor.name, notice.priority,
                                    starts_at, role=actor.role)
    log.warning("emergency notice %d by %s until %s: %s", emergency.id, actor.name,
                expires_at.isoformat(), notice.text.vi[:80])
    return emergency


def cancel_emergency(store, actor: Principal, emergency_id: int):
    """End a notice now (the schedule gets the panel back); NotFound for an unknown id."""
    try:
        emergency = store.cancel_emergency(emergency_id, actor.name, role=actor.role)
    except StoreError as exc:
        raise NotFound("emergency_not_found", str(exc), id=emergency_id) from None
    log.warning("emergency notice %d cancelled by %s", emergency_id, actor.name)
    return emergency


def showing_id(store, now) -> int | None:
    """The notice on the panel now: the player's choice (highest priority, then newest)."""
    return next((e.id for e in store.emergencies(current_at=now) if e.active(now)), None)
