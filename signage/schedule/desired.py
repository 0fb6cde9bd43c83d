"""What the wall should do now: which content, lit or blank, how bright, any test pattern.

A pure function of the desired state read from the store and the time. Precedence, from
the top: a technician's test pattern (on the panel itself), an emergency notice, an
approver's play-now until its end, the schedule (or, without one, the active playlist). Power: a technician's override, else the
schedule's power hours. Brightness: a technician's override, else the schedule's plan.
While the clock is not trusted, only the schedule's default plays, the wall stays lit and
brightness holds where it was: a wrong date must never pick the wrong campaign.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from signage.content.controls import PanelSetting
from signage.schedule.brightness import Override as BrightnessOverride
from signage.schedule.brightness import effective_level, recheck_after
from signage.schedule.resolver import power_state, resolve
from signage.schedule.rules import Schedule
from signage.schedule.state import Emergency, Override, PlayNow
from signage.schedule.trusted_time import Verdict

FAR_FUTURE = dt.datetime(9999, 1, 1, tzinfo=dt.timezone.utc)
PLAY_NOW_RULE = "play now"  # the `rule` a decision names while a play-now holds
MAX_WAIT = dt.timedelta(hours=1)  # decide again at least this often, whatever happens


@dataclasses.dataclass(frozen=True)
class Wanted:
    """The desired state the player reads from the store (signage.player.wanted)."""

    schedule: Schedule | None
    schedule_revision: int | None
    active_playlist: str | None  # used when there is no schedule
    emergencies: list[Emergency]  # not cancelled, not expired (some may start later)
    overrides: dict[PanelSetting, Override]  # not expired
    play_now: PlayNow | None = None  # an approver's playlist above the schedule, until its end


@dataclasses.dataclass(frozen=True)
class Decision:
    playlist: str | None  # the playlist to play (None: nothing published)
    rule: str | None  # the schedule rule that chose it
    emergency: Emergency | None  # takes over the whole panel while set
    power_on: bool
    power_reason: str  # "on", "scheduled off", "technician"
    brightness: float | None  # None: leave the driver's brightness alone
    brightness_source: str | None  # sun, curve, night-cap, override, held
    test_pattern: str | None
    next_check: dt.datetime  # decide again then at the latest


def decide(wanted: Wanted, now: dt.datetime, trust: Verdict,
           held_brightness: float | None = None) -> Decision:
    """The decision for `now` (aware), and when it must be made again at the latest."""
    trusted = trust.trusted
    changes = [now + MAX_WAIT]
    playlist, rule = wanted.active_playlist, None
    power_on, power_reason = True, "on"
    brightness, source = None, None
    schedule = wanted.schedule
    if schedule is not None:
        local = now.astimezone(schedule.zone)
        resolution = resolve(schedule, local, trusted=trusted)
        playlist, rule = resolution.playlist, resolution.rule
        power = power_state(schedule, local, trusted=trusted)
        if not power.on:
            power_on, power_reason = False, "scheduled off"
        changes += [c for c in (resolution.next_change, power.next_change) if c is not None]
        brightness, source, recheck = _brightness(schedule, local, trusted, wanted.overrides,
                                                  held_brightness)
        changes.append(now + dt.timedelta(seconds=recheck))
    elif PanelSetting.BRIGHTNESS in wanted.overrides:
        brightness = float(wanted.overrides[PanelSetting.BRIGHTNESS].value)
        source = "override"
    # A wrong clock cannot tell when a play-now ends: like every rule, it waits for trust.
    if trusted and wanted.play_now is not None and wanted.play_now.active(now):
        playlist, rule = wanted.play_now.playlist, PLAY_NOW_RULE
        changes.append(wanted.play_now.expires_at)

    emergency = _current_emergency(wanted.emergencies, now, changes)
    power_override = wanted.overrides.get(PanelSetting.POWER)
    if power_override is not None:
        power_on, power_reason = bool(power_override.value), "technician"
    if emergency is not None and power_reason == "scheduled off":
        power_on, power_reason = True, "on"  # an urgent notice lights a sleeping wall
    pattern = wanted.overrides.get(PanelSetting.TEST_PATTERN)
    for override in wanted.overrides.values():
        if override.expires_at is not None:
            changes.append(override.expires_at)
    return Decision(
        playlist=playlist, rule=rule, emergency=emergency, power_on=power_on,
        power_reason=power_reason, brightness=brightness, brightness_source=source,
        test_pattern=pattern.value if pattern else None,
        next_check=min(c for c in changes if c > now) if any(c > now for c in changes)
        else now + MAX_WAIT,
    )


def _current_emergency(emergencies: list[Emergency], now: dt.datetime,
                       changes: list[dt.datetime]) -> Emergency | None:
    """The highest-priority notice showing now (newest first on ties); notes its edges."""
    showing = None
    for emergency in emergencies:  # the store orders them by priority, then newest
        if emergency.active(now):
            showing = showing or emergency
            changes.append(emergency.expires_at)
        elif emergency.starts_at > now:
            changes.append(emergency.starts_at)
    return showing


def _brightness(schedule: Schedule, local: dt.datetime, trusted: bool,
                overrides: dict[PanelSetting, Override], held: float | None):
    """(level, source, seconds until it should be looked at again)."""
    stored = overrides.get(PanelSetting.BRIGHTNESS)
    override = None
    if stored is not None:
        override = BrightnessOverride(level=float(stored.value),
                                      until=stored.expires_at or FAR_FUTURE)
    plan = schedule.brightness
    if plan is None or not trusted:
        # Without a plan, or with a clock we cannot trust (the sun's position would be
        # wrong), only a technician changes brightness; otherwise it holds.
        if override is not None:
            return override.level, "override", MAX_WAIT.total_seconds()
        return held, ("held" if held is not None else None), MAX_WAIT.total_seconds()
    site = schedule.site
    level, source = effective_level(plan, local, site.latitude, site.longitude, override)
    return level, source, recheck_after(plan, local, site.latitude, site.longitude, override)
