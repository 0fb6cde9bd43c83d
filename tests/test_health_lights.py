"""Health at a glance: each light's code, colour and figure at the alert rules' limits
(monitoring/signage-alerts.yml), from a status document as GET /api/status answers it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from signage.console import health
from signage.console.health import AMBER, GREEN, RED, Light, health_lights
from signage.store.history import MinutePoint

NOW = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.timezone.utc)
RULES = (Path(__file__).parent.parent / "monitoring" / "signage-alerts.yml").read_text()


def status(**changes) -> dict:
    """A healthy wall on a NovaStar with two cards, as GET /api/status answers."""
    document = {
        "updated_at": (NOW - dt.timedelta(seconds=0.4)).isoformat(), "fps": 29.9,
        "target_fps": 30.0, "time": {"trusted": True, "reason": "ok"}, "emergency": None,
        "driver": {"ok": True, "link": "up", "age_s": 2.0, "extra": {"cards": [
            {"port": 0, "index": 0, "present": True, "temperature_c": 45.0, "voltage_v": 5.0},
            {"port": 0, "index": 1, "present": True, "temperature_c": 47.5, "voltage_v": 4.9}]}},
        "disk": {"free_mb": 12000.0, "total_mb": 30000.0},
    }
    document.update(changes)
    return document


def history(*fps_means: float) -> list[MinutePoint]:
    return [MinutePoint(at=NOW - dt.timedelta(minutes=len(fps_means) - i), samples=120,
                        fps_mean=fps) for i, fps in enumerate(fps_means)]


def light(lights: list[Light], subject: str, card: str | None = None) -> Light:
    [found] = [x for x in lights if x.subject == subject and x.card == card]
    return found


def test_a_healthy_wall_is_all_green_with_its_figures():
    lights = health_lights(status(), history(29.9, 30.0), NOW)

    assert {x.level for x in lights} == {GREEN}
    assert [x.code for x in lights] == [
        "player.alive", "frames.ok", "panel_link.up", "card_temperature.ok", "card_voltage.ok",
        "card_temperature.ok", "card_voltage.ok", "disk.ok", "clock.trusted", "emergency.none"]
    assert light(lights, "frames").figure == 29.9 and light(lights, "frames").limit == 24.0
    assert light(lights, "card_temperature", "0/1").figure == 47.5
    assert light(lights, "card_voltage", "0/0").figure == 5.0
    assert light(lights, "disk").figure == 12000.0


def test_a_low_frame_rate_long_ago_does_not_make_today_amber():
    yesterday = [MinutePoint(at=NOW - dt.timedelta(hours=20, minutes=m), samples=120,
                             fps_mean=10.0) for m in range(5, 0, -1)]
    assert light(health_lights(status(), yesterday, NOW), "frames").code == "frames.ok"


@pytest.mark.parametrize(("fps", "recent", "code", "level"), [
    (24.0, (), "frames.ok", GREEN),  # exactly 80% of 30 is not below it
    (23.9, (), "frames.low", AMBER),
    (29.0, (23.0, 22.0, 23.5, 20.0, 23.9), "frames.low", AMBER),  # 5 minutes low: the alert's
    (29.0, (23.0, 22.0, 25.0, 20.0, 23.9), "frames.ok", GREEN),
    (29.0, (23.0, 22.0, 20.0, 23.9), "frames.ok", GREEN),  # not yet 5 minutes of it
    (0.0, (), "frames.stalled", RED),
    (None, (), "frames.unknown", AMBER),
])
def test_frames_against_80_percent_of_the_target(fps, recent, code, level):
    found = light(health_lights(status(fps=fps), history(*recent), NOW), "frames")
    assert (found.code, found.level, found.figure) == (code, level, fps)


@pytest.mark.parametrize(("celsius", "code", "level"), [
    (70.0, "card_temperature.ok", GREEN), (70.5, "card_temperature.high", AMBER),
    (80.0, "card_temperature.high", AMBER), (80.5, "card_temperature.critical", RED)])
def test_each_card_temperature_against_70_degrees(celsius, code, level):
    cards = [{"port": 1, "index": 2, "present": True, "temperature_c": celsius, "voltage_v": 5.0}]
    driver = {"link": "up", "ok": True, "extra": {"cards": cards}}
    found = light(health_lights(status(driver=driver), [], NOW), "card_temperature", "1/2")
    assert (found.code, found.level, found.figure) == (code, level, celsius)


@pytest.mark.parametrize(("volts", "code", "level"), [
    (3.7, "card_voltage.critical_low", RED), (4.4, "card_voltage.low", AMBER),
    (4.5, "card_voltage.ok", GREEN), (5.5, "card_voltage.ok", GREEN),
    (5.6, "card_voltage.critical_high", RED)])
def test_each_card_voltage_against_the_rated_input(volts, code, level):
    cards = [{"port": 0, "index": 0, "present": True, "temperature_c": None, "voltage_v": volts}]
    lights = health_lights(status(driver={"link": "up", "ok": True, "extra": {"cards": cards}}),
                           [], NOW)
    found = light(lights, "card_voltage", "0/0")
    assert (found.code, found.level, found.figure) == (code, level, volts)
    assert not [x for x in lights if x.subject == "card_temperature"]  # no reading, no light


def test_a_card_that_stopped_answering_is_red_and_hdmi_has_no_card_lights():
    cards = [{"port": 1, "index": 0, "present": False, "temperature_c": None, "voltage_v": None}]
    lights = health_lights(status(driver={"link": "up", "ok": True, "extra": {"cards": cards}}),
                           [], NOW)
    assert light(lights, "card", "1/0") == Light("card.absent", RED, card="1/0")

    hdmi = health_lights(status(driver={"link": "up", "ok": True, "extra": {}}), [], NOW)
    assert not [x for x in hdmi if x.card is not None]


@pytest.mark.parametrize(("driver", "code", "level"), [
    ({"link": "down", "ok": True}, "panel_link.down", RED),
    ({"link": "up", "ok": False}, "panel_link.failing", RED),
    ({"link": "unknown", "ok": True}, "panel_link.unknown", AMBER),
    ({"link": "up", "ok": True}, "panel_link.up", GREEN)])
def test_the_panel_link(driver, code, level):
    found = light(health_lights(status(driver=driver), [], NOW), "panel_link")
    assert (found.code, found.level) == (code, level)


def test_cards_are_not_judged_by_stale_readings_while_the_link_is_down():
    down = status()
    down["driver"] = {**down["driver"], "link": "down"}
    lights = health_lights(down, [], NOW)

    assert light(lights, "panel_link").level == RED
    assert not [x for x in lights if x.card is not None]


@pytest.mark.parametrize(("free", "code", "level"), [
    (500.0, "disk.ok", GREEN), (499.9, "disk.low", AMBER), (99.0, "disk.critical", RED)])
def test_disk_free_against_500_mb(free, code, level):
    found = light(health_lights(status(disk={"free_mb": free}), [], NOW), "disk")
    assert (found.code, found.level, found.figure) == (code, level, free)


def test_an_untrusted_clock_is_amber():
    found = light(health_lights(status(time={"trusted": False, "reason": "before mark"}), [], NOW),
                  "clock")
    assert (found.code, found.level) == ("clock.untrusted", AMBER)


@pytest.mark.parametrize(("ends_in_s", "code", "level"), [
    (600.0, "emergency.on_air", AMBER), (-60.0, "emergency.on_air", AMBER),
    (-61.0, "emergency.overrun", RED)])
def test_an_emergency_on_air_and_one_that_overran_its_end(ends_in_s, code, level):
    ends = NOW + dt.timedelta(seconds=ends_in_s)
    found = light(health_lights(status(emergency={"id": 3, "expires_at": ends.isoformat()}),
                                [], NOW), "emergency")
    assert (found.code, found.level, found.figure) == (code, level, ends_in_s)


def test_a_player_that_stopped_writing_is_red_and_only_the_disk_is_judged_beside_it():
    stale = status(updated_at=(NOW - dt.timedelta(seconds=3.5)).isoformat(), fps=0.0)
    assert [x.code for x in health_lights(stale, [], NOW)] == ["player.stale", "disk.ok"]
    assert [x.code for x in health_lights({"disk": {"free_mb": 80.0}}, None, NOW)] == [
        "player.none", "disk.critical"]
    assert [x.code for x in health_lights(None, None, NOW)] == ["player.none"]


def test_the_limits_are_the_alert_rules():
    """A change to an alert's threshold must be made here too (and the other way round)."""
    assert "signage_fps < 0.8 * signage_target_fps" in RULES and health.FPS_LOW_SHARE == 0.8
    assert re.search(r"alert: SignageFrameRateLow\n.*\n\s+for: 5m", RULES)
    assert health.FPS_LOW_MINUTES == 5
    assert "signage_card_temperature_celsius > 70" in RULES and health.CARD_HOT_C == 70
    assert "signage_disk_free_bytes < 500 * 1024 * 1024" in RULES and health.DISK_LOW_MB == 500
    assert "signage_emergency_expires_timestamp_seconds + 60" in RULES
    assert health.EMERGENCY_OVERRUN_S == 60
