"""Technicians' controls: brightness, power and test patterns held until an expiry or cleared.

Each is an override in the store (desired state): the player follows it within a second, it
survives restarts of either process and lapses by itself at its expiry. Every change is in
the audit log as panel.<control> (panel.<control>.clear when cleared).
"""

from __future__ import annotations

import datetime as dt
import logging

from drivers.registry import patterns_for
from signage.clock import Clock
from signage.content.models import parse_duration
from signage.services.errors import Invalid
from signage.settings import Settings
from signage.store.access import Principal

log = logging.getLogger(__name__)

TEST_PATTERN = "test_pattern"


def control_name(kind: str) -> str:
    """How people and URLs spell an override kind: test_pattern -> test-pattern."""
    return kind.replace("_", "-")


def set_override(store, clock: Clock, settings: Settings, actor: Principal, kind: str,
                 value: object, *, expires_at: dt.datetime | None = None,
                 duration: str | float | None = None):
    """Hold the panel at `value` for `kind` until `expires_at`, for `duration`, or (neither)
    until cleared. Invalid names the field: both ends given, an end passed, a bad duration,
    a test pattern this wall's device does not show. Returns the stored Override."""
    now = clock.now()
    expiry = _expiry(now, expires_at, duration)
    if kind == TEST_PATTERN:
        shown = patterns_for(settings.driver)
        if value not in shown:
            raise Invalid.field("pattern", "pattern_not_shown", (
                f"{value!r} is not a pattern this wall's device shows; choose one of "
                f"{', '.join(shown) or '(none)'}"), pattern=str(value), shown=list(shown))
    override = store.set_override(kind, value, actor.name, expiry)
    control = control_name(kind)
    store.audit(actor.name, actor.role, f"panel.{control}", target=control,
                detail={_detail_key(kind): value,
                        "expires_at": expiry.isoformat() if expiry else None})
    log.info("panel %s set to %r by %s until %s", control, value, actor.name,
             expiry.isoformat() if expiry else "cleared")
    return override


def clear_override(store, actor: Principal, kind: str):
    """The schedule decides again; returns the override that was in place, or None."""
    was = store.overrides().get(kind)
    store.clear_override(kind)
    control = control_name(kind)
    store.audit(actor.name, actor.role, f"panel.{control}.clear", target=control,
                detail={"was": was.value if was else None})
    if was is not None:
        log.info("panel %s override cleared by %s", control, actor.name)
    return was


def _detail_key(kind: str) -> str:
    return {"brightness": "percent", "power": "on", TEST_PATTERN: "pattern"}[kind]


def _expiry(now: dt.datetime, expires_at: dt.datetime | None,
            duration: str | float | None) -> dt.datetime | None:
    """The end time asked for; Invalid naming the field if it is unusable."""
    if expires_at is not None and duration is not None:
        raise Invalid.field("duration", "both_ends", "give expires_at or duration, not both")
    if duration is not None:
        try:
            return now + dt.timedelta(seconds=parse_duration(duration))
        except ValueError as exc:
            raise Invalid.field("duration", "bad_duration", str(exc)) from None
    if expires_at is None:
        return None
    try:
        utc = expires_at.astimezone(dt.timezone.utc)
    except OverflowError:
        raise Invalid.field("expires_at", "out_of_range",
                            "is out of range; give a time within this century") from None
    if utc <= now:
        raise Invalid.field("expires_at", "in_the_past", (
            f"{expires_at.isoformat()} has passed (it is {now.isoformat(timespec='seconds')}); "
            "give a later time or a duration"))
    return utc
