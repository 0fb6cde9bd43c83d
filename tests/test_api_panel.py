"""Technicians' controls over HTTP: brightness, power and test patterns stored as overrides
with an expiry, validated, audited, and followed by a real player on a fake clock."""

from __future__ import annotations

import dataclasses
import datetime as dt

import httpx
import pytest

from signage.api import create_app
from tests.test_api import bearer, serve
from tests.test_player_schedule import (  # noqa: F401  (fixtures)
    api, clock, panel, player, run, status, store)


@pytest.fixture
def client(settings, clock, api):
    """The API on its own store connection, as the API process has."""
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    with serve(create_app(settings, clock, api)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            yield client


@pytest.fixture
def tech(api):
    return bearer(api, "technician", "duc")


def test_brightness_is_stored_with_its_expiry_shown_and_audited(client, tech, api, clock):
    answer = client.put("/api/panel/brightness", json={"percent": 35, "duration": "30m"},
                        headers=tech)
    assert answer.status_code == 200, answer.text
    until = clock.now() + dt.timedelta(minutes=30)
    assert answer.json()["value"] == 35 and answer.json()["active"] is True
    stored = api.desired.overrides()["brightness"]
    assert (stored.value, stored.expires_at, stored.set_by) == (35, until, "duc")
    shown = client.get("/api/panel", headers=tech).json()["overrides"]
    assert shown["brightness"]["expires_at"] == until.isoformat()
    [entry] = [e for e in api.records.audit_log() if e.action == "panel.brightness"]
    assert (entry.actor, entry.role, entry.target) == ("duc", "technician", "brightness")
    assert entry.detail == {"percent": 35, "expires_at": until.isoformat()}


def test_an_override_lapses_by_itself(client, tech, api, clock):
    client.put("/api/panel/power", json={"on": False, "expires_at":
                                         (clock.now() + dt.timedelta(minutes=5)).isoformat()},
               headers=tech)
    assert "power" in api.desired.overrides(active_at=clock.now())
    clock.advance(5 * 60)
    assert api.desired.overrides(active_at=clock.now()) == {}
    assert client.get("/api/panel", headers=tech).json()["overrides"]["power"]["active"] is False


def test_clearing_removes_the_override_and_is_audited(client, tech, api):
    client.put("/api/panel/test-pattern", json={"pattern": "red"}, headers=tech)
    answer = client.delete("/api/panel/test-pattern", headers=tech)
    assert answer.status_code == 200 and answer.json()["cleared"] is True
    assert api.desired.overrides() == {}
    assert [e.action for e in api.records.audit_log()][-2:] == ["panel.test-pattern",
                                                        "panel.test-pattern.clear"]
    again = client.put("/api/panel/test-pattern", json={"pattern": None}, headers=tech)
    assert again.json()["cleared"] is False  # null means normal video: nothing to clear


@pytest.mark.parametrize(("path", "body", "field"), [
    ("brightness", {"percent": 101}, "percent"),
    ("brightness", {"percent": -1}, "percent"),
    ("brightness", {"percent": "bright"}, "percent"),
    ("brightness", {}, "percent"),
    ("power", {"on": "yes"}, "on"),
    ("test-pattern", {"pattern": "rainbow"}, "pattern"),
    ("brightness", {"percent": 50, "duration": "soon"}, "duration"),
    ("brightness", {"percent": 50, "duration": "30m",
                    "expires_at": "2030-01-01T00:00:00+07:00"}, "duration"),
    ("brightness", {"percent": 50, "expires_at": "2020-01-01T00:00:00+07:00"}, "expires_at"),
    ("brightness", {"percent": 50, "expires_at": "2030-01-01T00:00:00"}, "expires_at"),  # naive
    ("power", {"on": True, "colour": "red"}, "colour"),  # unknown fields are refused
])
def test_bad_values_get_422_naming_the_field_and_store_nothing(client, tech, api, path, body, field):
    answer = client.put(f"/api/panel/{path}", json=body, headers=tech)
    assert answer.status_code == 422, answer.text
    assert field in [e["loc"][-1] for e in answer.json()["detail"]]
    assert api.desired.overrides() == {} and api.records.audit_log() == []


def test_a_wall_with_a_sending_card_takes_the_cards_own_patterns(settings, clock, api, tech):
    settings = dataclasses.replace(settings, driver="hdmi://0?size=768x384+novastar:///dev/ttyUSB0")
    with serve(create_app(settings, clock, api)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            for pattern in ("horizontal", "vertical", "diagonal", "grey", "ageing", "white"):
                assert client.put("/api/panel/test-pattern", json={"pattern": pattern},
                                  headers=tech).status_code == 200
            black = client.put("/api/panel/test-pattern", json={"pattern": "black"}, headers=tech)
    assert api.desired.overrides()["test_pattern"].value == "white"
    assert black.status_code == 422
    assert "'black' is not a pattern this wall's device shows" in black.text
    assert "horizontal" in black.text


def test_a_pattern_the_wall_cannot_show_is_refused_with_the_ones_it_can(client, tech, api):
    # The fixture's wall is an emulated panel: software patterns only, no card's.
    answer = client.put("/api/panel/test-pattern", json={"pattern": "ageing"}, headers=tech)
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"][-1] == "pattern"
    assert problem["msg"].endswith("choose one of red, green, blue, white, black")
    assert api.desired.overrides() == {} and api.records.audit_log() == []


def test_only_technicians_may_use_the_controls(client, api):
    refused = client.put("/api/panel/brightness", json={"percent": 10},
                         headers=bearer(api, "approver"))
    assert refused.status_code == 403 and api.desired.overrides() == {}


# --- the player follows -----------------------------------------------------------------


def test_the_player_applies_a_brightness_override_then_drops_it(client, tech, player, clock, panel):
    run(player, clock, 1)
    assert panel.brightness == 20  # the schedule's night level
    client.put("/api/panel/brightness", json={"percent": 70, "duration": "10m"}, headers=tech)
    run(player, clock, 1)
    assert panel.brightness == 70
    assert status(player, clock)["brightness"]["source"] == "override"
    run(player, clock, 600)
    assert panel.brightness == 20


def test_the_player_blanks_for_a_power_override_and_lights_again_when_cleared(
        client, tech, player, clock, panel):
    run(player, clock, 1)
    client.put("/api/panel/power", json={"on": False}, headers=tech)
    run(player, clock, 1)
    assert panel.power is False and status(player, clock)["state"] == "blanked"
    client.delete("/api/panel/power", headers=tech)
    run(player, clock, 1)
    assert panel.power is True and status(player, clock)["state"] == "playing"


def test_the_player_shows_a_test_pattern_until_it_expires(client, tech, player, clock, panel):
    run(player, clock, 1)
    client.put("/api/panel/test-pattern", json={"pattern": "green", "duration": 30}, headers=tech)
    run(player, clock, 1)
    assert panel.test_pattern == "green"
    run(player, clock, 30)
    assert panel.test_pattern is None
