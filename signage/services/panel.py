"""Technicians' controls: brightness, power and test patterns held until an expiry or cleared.

Each is an override in the store (desired state): the player follows it within a second, it
survives restarts of either process and lapses by itself at its expiry. Every change is in
the audit log as panel.<control> (panel.<control>.clear when cleared).
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from drivers.registry import patterns_for
from signage.clock import Clock
from signage.content.controls import PanelSetting
from signage.content.models import parse_duration
from signage.services.errors import Invalid
from signage.settings import Settings
from signage.store.access import Principal
from signage.store.desired import Desired
from signage.store.records import Records

log = logging.getLogger(__name__)

def set_override(desired: Desired, records: Records, clock: Clock, settings: Settings,
                 actor: Principal, setting: PanelSetting, value: object, *,
                 expires_at: dt.datetime | None = None, duration: str | float | None = None):
    """Hold the panel's `setting` at `value` until `expires_at`, for `duration`, or (neither)
    until cleared. Invalid names the field: both ends given, an end passed, a bad duration,
    a test pattern this wall's device does not show. Returns the stored Override."""
    setting = PanelSetting(setting)  # a plain name works too: "power"
    now = clock.now()
    expiry = _expiry(now, expires_at, duration)
    if setting is PanelSetting.BRIGHTNESS:
        _check_percent(value)
    if setting is PanelSetting.TEST_PATTERN:
        shown = patterns_for(settings.driver)
        if value not in shown:
            raise Invalid.field("pattern", "pattern_not_shown", (
                f"{value!r} is not a pattern this wall's device shows; choose one of "
                f"{', '.join(shown) or '(none)'}"), pattern=str(value), shown=list(shown))
    override = desired.set_override(setting, value, actor.name, expiry)
    control = setting.slug
    records.audit(actor.name, actor.role, f"panel.{control}", target=control,
                  detail={_DETAIL_KEY[setting]: value,
                          "expires_at": expiry.isoformat() if expiry else None})
    log.info("panel %s set to %r by %s until %s", control, value, actor.name,
             expiry.isoformat() if expiry else "cleared")
    return override


def clear_override(desired: Desired, records: Records, actor: Principal,
                   setting: PanelSetting):
    """The schedule decides again; returns the override that was in place, or None."""
    setting = PanelSetting(setting)
    was = desired.overrides().get(setting)
    desired.clear_override(setting)
    control = setting.slug
    records.audit(actor.name, actor.role, f"panel.{control}.clear", target=control,
                  detail={"was": was.value if was else None})
    if was is not None:
        log.info("panel %s override cleared by %s", control, actor.name)
    return was


# The audit detail names the value as the API's body does.
_DETAIL_KEY = {PanelSetting.BRIGHTNESS: "percent", PanelSetting.POWER: "on",
               PanelSetting.TEST_PATTERN: "pattern"}


def _check_percent(value: object) -> None:
    """Brightness is a percent: a finite number from 0 to 100 (the API's body says so too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Invalid.field("percent", "float_parsing", "must be a number")
    if not 0 <= value <= 100:
        raise Invalid.field("percent", "less_than_equal" if value > 100 else "greater_than_equal",
                            "must be from 0 to 100", **({"le": 100} if value > 100 else {"ge": 0}))


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
