"""The panel page, for technicians: brightness, blank/unblank and test patterns, each held
until an expiry (services/panel.py, as PUT /api/panel/* does), and what the player last read
back from the device: link, per receiving card temperature and voltage, recent errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from drivers.registry import patterns_for
from signage.console.auth import Visitor, action_for, page_for
from signage.console.forms import refusal_messages, see_other, status_for
from signage.console.localtime import local_moment, shown, site_zone
from signage.console.views import render
from signage.content.controls import PanelSetting
from signage.services import panel
from signage.services.errors import Invalid, Refused
from signage.store.runtime import read_player_state

router = APIRouter(include_in_schema=False)

TechnicianPage = Annotated[Visitor, Depends(page_for("technician"))]
TechnicianAction = Annotated[Visitor, Depends(action_for("technician"))]
# How long a setting holds, as the duration field offers it ('' holds until cleared).
DURATIONS = ("15m", "30m", "1h", "2h", "4h", "8h", "24h", "")
DONE = ("brightness", "power-off", "power-on", "test-pattern", "cleared")


@router.get("/panel")
def panel_page(request: Request, who: TechnicianPage, done: str = "") -> Response:
    return _page(request, who, done=done if done in DONE else "")


def _page(request: Request, who: Visitor, status_code: int = 200, *, done: str = "",
          problems: list | None = None, typed: dict | None = None) -> Response:
    settings, clock = request.app.state.settings, request.app.state.clock
    zone, now = site_zone(request), clock.now()
    store = request.app.state.store_slot.get()
    overrides = {PanelSetting(kind).value: _override(found, now, zone)
                 for kind, found in store.desired.overrides().items()}
    player = read_player_state(settings.status_path, now)
    return render(request, who, "panel.html", status_code=status_code, done=done,
                  overrides=overrides, patterns=patterns_for(settings.driver),
                  durations=DURATIONS, device=device_facts(player, zone),
                  problems=problems or [], typed=typed or {})


def _override(found, now, zone) -> dict[str, Any]:
    return {"value": found.value, "active": found.active(now), "set_by": found.set_by,
            "until": shown(found.expires_at, zone)}


def device_facts(player, zone) -> dict[str, Any]:
    """What the status document says of the device, for the page (nothing when none)."""
    doc = player.document or {}
    driver = doc.get("driver") if isinstance(doc.get("driver"), dict) else {}
    extra = driver.get("extra") if isinstance(driver.get("extra"), dict) else {}
    cards = [card for card in extra.get("cards") or () if isinstance(card, dict)]
    errors = [e for e in doc.get("errors") or () if isinstance(e, dict)]
    brightness = doc.get("brightness") if isinstance(doc.get("brightness"), dict) else {}
    return {"known": player.document is not None, "alive": player.alive,
            "updated": shown(doc.get("updated_at"), zone),
            "link": driver.get("link"), "driver_ok": driver.get("ok"),
            "model": extra.get("model"), "dvi_signal": extra.get("dvi_signal"),
            "last_error": extra.get("last_error"), "screen": doc.get("screen"),
            "brightness": brightness.get("applied"),
            "cards": [{"where": f"{card.get('port', '?')}:{card.get('index', '?')}",
                       "present": bool(card.get("present")),
                       "temperature_c": card.get("temperature_c"),
                       "voltage_v": card.get("voltage_v")} for card in cards],
            # Newest first: the one a technician looks for is the last one.
            "errors": [{"at": shown(e.get("at"), zone), "message": str(e.get("message", ""))}
                       for e in reversed(errors)]}


@router.post("/panel/brightness")
def set_brightness(request: Request, who: TechnicianAction,
                   percent: Annotated[str, Form(max_length=20)] = "",
                   duration: Annotated[str, Form(max_length=20)] = "",
                   until: Annotated[str, Form(max_length=40)] = "") -> Response:
    typed = {"percent": percent, "duration": duration, "until": until}
    try:
        value = _percent(percent)
        _hold(request, who, PanelSetting.BRIGHTNESS, value, duration, until)
    except Refused as refusal:
        return _refused(request, who, refusal, typed)
    return see_other("/panel", done="brightness")


@router.post("/panel/power")
def set_power(request: Request, who: TechnicianAction,
              on: Annotated[str, Form(max_length=5)] = "",
              duration: Annotated[str, Form(max_length=20)] = "",
              until: Annotated[str, Form(max_length=40)] = "") -> Response:
    lit = on == "1"
    try:
        _hold(request, who, PanelSetting.POWER, lit, duration, until)
    except Refused as refusal:
        return _refused(request, who, refusal, {"duration": duration, "until": until})
    return see_other("/panel", done="power-on" if lit else "power-off")


@router.post("/panel/test-pattern")
def set_test_pattern(request: Request, who: TechnicianAction,
                     pattern: Annotated[str, Form(max_length=40)] = "",
                     duration: Annotated[str, Form(max_length=20)] = "",
                     until: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        _hold(request, who, PanelSetting.TEST_PATTERN, pattern, duration, until)
    except Refused as refusal:
        return _refused(request, who, refusal, {"pattern": pattern, "duration": duration,
                                                "until": until})
    return see_other("/panel", done="test-pattern")


@router.post("/panel/clear")
def clear(request: Request, who: TechnicianAction,
          control: Annotated[str, Form(max_length=20)] = "") -> Response:
    """The schedule decides again (normal video, the planned brightness, lit)."""
    try:
        setting = PanelSetting(control)
    except ValueError:
        return _refused(request, who, Invalid.field("control", "panel_control_unknown",
                                                    "is not a panel setting"), {})
    store = request.app.state.store_slot.get()
    panel.clear_override(store.desired, store.records, who.principal, setting)
    return see_other("/panel", done="cleared")


def _percent(text: str) -> float:
    try:
        return float(text.replace(",", ".").strip())
    except ValueError:
        raise Invalid.field("percent", "float_parsing", "must be a number") from None


def _hold(request: Request, who: Visitor, setting: PanelSetting, value: object,
          duration: str, until: str) -> None:
    """Set `setting` through the panel service; a time typed in `until` wins over the
    duration list (the page says so)."""
    store = request.app.state.store_slot.get()
    expires_at = local_moment(until, "until", site_zone(request))
    panel.set_override(store.desired, store.records, request.app.state.clock,
                       request.app.state.settings, who.principal, setting, value,
                       expires_at=expires_at,
                       duration=None if expires_at or not duration else duration)


def _refused(request: Request, who: Visitor, refusal: Refused, typed: dict) -> Response:
    return _page(request, who, status_for(refusal), problems=refusal_messages(refusal, who.lang),
                 typed=typed)
