"""GET /metrics in Prometheus text format, and the box's health in GET /api/status."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from drivers.emulated import EmulatedPanel
from signage.api.routes.status import parse_meminfo
from signage.player.loop import Player
from signage.render.compositor import Compositor
from signage.player.snapshot import SnapshotWriter
from signage.player.status import status_document
from tests.test_api import client, clock, settings, store, tech, write_status  # noqa: F401

CARDS = [
    {"port": 0, "index": 0, "present": True, "temperature_c": 41.5, "voltage_v": 4.9},
    {"port": 0, "index": 1, "present": True, "temperature_c": 57.0, "voltage_v": 4.7},
    {"port": 1, "index": 0, "present": False, "temperature_c": None, "voltage_v": None},
]


def player_status(settings, clock) -> dict:
    return write_status(
        settings, clock, uptime_s=3600.5, frames=108000, dropped_frames=3, target_fps=30.0,
        frame_ms={"median": 1.5, "p99": 4.0, "max": 12.0}, rss_mb=61.2, test_pattern=None,
        brightness={"desired": 80.0, "source": "sun", "applied": 80.0},
        power={"on": True, "reason": "on"}, emergency=None,
        time={"trusted": True, "reason": "ok"},
        driver={"url": "novastar:///dev/ttyUSB0", "ok": True, "link": "up", "age_s": 2.5,
                "extra": {"model": "MCTRL300", "cards": CARDS}},
        errors=[{"at": "2026-11-26T07:59:00+00:00", "message": "driver: timeout"}])


def scrape(client, tech) -> dict[str, list]:
    answer = client.get("/metrics", headers=tech)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {family.name: family.samples for family in text_string_to_metric_families(answer.text)}


def value(samples, **labels) -> float:
    [sample] = [s for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]
    return sample.value


def test_metrics_carry_the_player_status_and_the_card_temperatures(client, tech, settings, clock):
    player_status(settings, clock)
    metrics = scrape(client, tech)
    assert value(metrics["signage_player_up"]) == 1
    assert value(metrics["signage_fps"]) == 29.9
    assert value(metrics["signage_frame_seconds"], stat="p99") == 0.004
    assert value(metrics["signage_frame_seconds"], stat="max") == 0.012
    assert value(metrics["signage_dropped_frames"]) == 3  # a counter: ..._total on the wire
    assert value(metrics["signage_uptime_seconds"]) == 3600.5
    assert value(metrics["signage_brightness_applied_percent"]) == 80
    assert value(metrics["signage_power_on"]) == 1
    assert value(metrics["signage_driver_link_up"]) == 1
    assert value(metrics["signage_telemetry_age_seconds"]) == 2.5
    temperatures = metrics["signage_card_temperature_celsius"]
    assert value(temperatures, port="0", index="1") == 57.0
    assert value(metrics["signage_card_voltage_volts"], port="0", index="0") == 4.9
    assert len(temperatures) == 2  # the card that does not answer has no made-up reading
    assert value(metrics["signage_card_present"], port="1", index="0") == 0
    assert value(metrics["signage_emergency_active"]) == 0
    assert value(metrics["signage_time_trusted"]) == 1
    assert value(metrics["signage_player_rss_bytes"]) == pytest.approx(61.2 * 2**20)
    assert value(metrics["signage_disk_free_bytes"]) > 0


def test_metrics_without_a_player_say_it_is_down(client, tech):
    metrics = scrape(client, tech)
    assert value(metrics["signage_player_up"]) == 0
    assert metrics["signage_fps"] == [] and metrics["signage_card_temperature_celsius"] == []
    assert value(metrics["signage_disk_free_bytes"]) > 0  # the box's own health still shows


def test_metrics_need_a_technician(client, store):
    from tests.test_api import bearer

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(store, "editor")).status_code == 403


def test_status_adds_disk_memory_and_uptime_and_keeps_the_player_fields(client, tech, settings, clock):
    written = player_status(settings, clock)
    body = client.get("/api/status", headers=tech).json()
    assert {k: body[k] for k in written} == written  # nothing the player wrote is lost
    assert body["errors"][0]["message"] == "driver: timeout"
    assert body["disk"]["free_mb"] > 0 and body["disk"]["total_mb"] >= body["disk"]["free_mb"]
    assert body["memory"]["player_rss_mb"] == 61.2
    assert body["memory"]["total_mb"] > 0 and body["memory"]["available_mb"] > 0
    assert body["box_uptime_s"] > 0


def test_meminfo_is_read_in_bytes():
    text = "MemTotal:        3884320 kB\nMemFree:  100 kB\nMemAvailable:    2012345 kB\nHugePages_Total: 0\n"
    info = parse_meminfo(text)
    assert info["MemTotal"] == 3884320 * 1024 and info["MemAvailable"] == 2012345 * 1024
    assert info["HugePages_Total"] == 0


def test_the_player_reports_its_own_resident_memory(settings, store, clock, fonts):
    panel = EmulatedPanel((64, 32))
    panel.open()
    player = Player(settings, store, panel, clock, Compositor((64, 32), fonts, store.assets.path),
                    snapshots=SnapshotWriter(settings.snapshot_path, background=False))
    player.step()
    assert 10 < status_document(player, clock.monotonic())["rss_mb"] < 4096
