"""Technicians' controls: brightness, power and test patterns, each until an expiry or cleared.

Each is stored as an override in the store (desired state): the player follows it within
a second, it survives restarts of either process, and it lapses by itself at its expiry.
Every change is in the audit log as panel.<control> (panel.<control>.clear to clear).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from signage.api.deps import (ClockDep, DesiredDep, PrincipalDep, RecordsDep, SettingsDep,
                              require_role)
from signage.content.controls import PanelSetting
from signage.services import panel
from signage.services.errors import Invalid
from signage.schedule.state import Override
from signage.store.access import Principal
from signage.store.desired import Desired
from signage.store.records import Records

router = APIRouter(prefix="/api/panel", tags=["panel"])

# The names depend on the device: the panel service checks each against the wall's
# driver family (drivers.registry).
Pattern = Annotated[str, Field(max_length=40)]
Control = Literal[tuple(setting.slug for setting in PanelSetting)]
_TECHNICIAN = [Depends(require_role("technician"))]
_BODY = {400: {"description": "The body is not JSON (or not UTF-8)"}}


class _Until(BaseModel):
    """Either an end time or a duration (e.g. 30m, 2h); neither: until cleared."""

    model_config = ConfigDict(extra="forbid")
    expires_at: AwareDatetime | None = Field(
        None, description="when the setting lapses, with a time zone, e.g. 2027-02-01T18:00:00+07:00")
    duration: str | StrictInt | StrictFloat | None = Field(
        None, description="how long it lasts from now: 90s, 30m, 2h or seconds (0.5 s to 24 h)")


class BrightnessBody(_Until):
    percent: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class PowerBody(_Until):
    on: StrictBool = Field(description="false blanks the wall; true lights it")


class TestPatternBody(_Until):
    pattern: Pattern | None = Field(
        description="a pattern name the wall's device shows (422 lists them), or null for "
                    "normal video")


@router.get("", dependencies=_TECHNICIAN)
def get_panel(desired: DesiredDep, clock: ClockDep) -> dict[str, Any]:
    """The technician overrides, by control, and whether each is still in force."""
    now = clock.now()
    found = desired.overrides()
    return {"overrides": {setting.slug: _described(found[setting], now)
                          for setting in PanelSetting if setting in found}}


@router.put("/brightness", dependencies=_TECHNICIAN, responses=_BODY)
def put_brightness(body: BrightnessBody, who: PrincipalDep, desired: DesiredDep,
                   records: RecordsDep, clock: ClockDep, settings: SettingsDep) -> dict[str, Any]:
    """Hold the wall at `percent` (overrides the schedule's plan) until the expiry."""
    return _set(desired, records, clock, settings, who, PanelSetting.BRIGHTNESS, body.percent,
                body)


@router.put("/power", dependencies=_TECHNICIAN, responses=_BODY)
def put_power(body: PowerBody, who: PrincipalDep, desired: DesiredDep, records: RecordsDep,
              clock: ClockDep, settings: SettingsDep) -> dict[str, Any]:
    """Blank (on=false) or light the wall until the expiry, whatever the schedule says."""
    return _set(desired, records, clock, settings, who, PanelSetting.POWER, body.on, body)


@router.put("/test-pattern", dependencies=_TECHNICIAN, responses=_BODY)
def put_test_pattern(body: TestPatternBody, who: PrincipalDep, desired: DesiredDep,
                     records: RecordsDep, clock: ClockDep, settings: SettingsDep) -> dict[str, Any]:
    """Show a test pattern until the expiry (to find dead modules); null: normal video.
    The pattern must be one this wall's device shows (422 lists them)."""
    if body.pattern is None:
        return _clear(desired, records, clock, who, PanelSetting.TEST_PATTERN)
    return _set(desired, records, clock, settings, who, PanelSetting.TEST_PATTERN, body.pattern,
                body)


@router.delete("/{control}", dependencies=_TECHNICIAN)
def delete_control(control: Annotated[Control, Path(description="brightness, power or test-pattern")],
                   who: PrincipalDep, desired: DesiredDep, records: RecordsDep,
                   clock: ClockDep) -> dict[str, Any]:
    """Clear an override: the schedule decides again."""
    return _clear(desired, records, clock, who, PanelSetting.from_slug(control))


def _set(desired: Desired, records: Records, clock, settings, who: Principal,
         setting: PanelSetting, value: object, body: _Until) -> dict[str, Any]:
    try:
        override = panel.set_override(desired, records, clock, settings, who, setting, value,
                                      expires_at=body.expires_at, duration=body.duration)
    except Invalid as exc:
        # The same 422 body FastAPI gives for a bad field, so clients read one format.
        raise RequestValidationError([{"loc": ("body", p.path), "msg": p.reason,
                                       "type": "value_error"} for p in exc.problems]) from None
    return {"control": setting.slug, **_described(override, clock.now())}


def _clear(desired: Desired, records: Records, clock, who: Principal,
           setting: PanelSetting) -> dict[str, Any]:
    was = panel.clear_override(desired, records, who, setting)
    return {"control": setting.slug, "cleared": was is not None,
            "was": _described(was, clock.now()) if was else None}


def _described(override: Override, now: dt.datetime) -> dict[str, Any]:
    return {"value": override.value, "active": override.active(now),
            "expires_at": override.expires_at.isoformat() if override.expires_at else None,
            "set_by": override.set_by, "set_at": override.set_at.isoformat()}
