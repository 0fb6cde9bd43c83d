"""GET /metrics: the player's status and the box's health in Prometheus text format.

Each app has its own CollectorRegistry (tests run several apps in one process) holding one
collector that reads the status document at scrape time, so the numbers are exactly what
GET /api/status shows. Frame times are in seconds, as Prometheus names units.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Iterator

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from signage.api.deps import require_role
from signage.store.runtime import nested, read_player_state
from signage.api.routes.status import box_health

router = APIRouter(tags=["metrics"])

# The classic text format every Prometheus reads (what prometheus_client answers by default).
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
_registry_lock = threading.Lock()


class StatusCollector:
    """Gauges filled from the player's status document when Prometheus scrapes."""

    def __init__(self, settings, clock):
        self.settings, self.clock = settings, clock

    def collect(self) -> Iterator[Metric]:
        player = read_player_state(self.settings.status_path, self.clock.now())
        doc = player.document or {}
        box = box_health(self.settings.data_dir, doc.get("rss_mb"))
        yield _gauge("signage_player_up", "1 if the player wrote its status recently",
                     player.alive)
        yield _gauge("signage_status_age_seconds", "Age of the player's status document",
                     player.age_s)
        yield from self._frames(doc)
        yield from self._panel(doc)
        yield from self._cards(doc)
        yield _gauge("signage_emergency_active", "1 while an emergency notice is on screen",
                     doc.get("emergency") is not None if player.document else None)
        yield _gauge("signage_emergency_expires_timestamp_seconds",
                     "When the notice on screen is due to end (Unix time)",
                     _timestamp(nested(doc, "emergency", "expires_at")))
        yield _gauge("signage_time_trusted", "1 if the wall clock is trusted",
                     nested(doc, "time", "trusted"))
        yield _gauge("signage_errors_kept", "Recent errors in the status document",
                     len(doc["errors"]) if isinstance(doc.get("errors"), list) else None)
        yield _gauge("signage_disk_free_bytes", "Free space where the data directory is",
                     _bytes(box["disk"]["free_mb"]))
        yield _gauge("signage_memory_total_bytes", "The box's memory", _bytes(box["memory"]["total_mb"]))
        yield _gauge("signage_memory_available_bytes", "Memory available to new work",
                     _bytes(box["memory"]["available_mb"]))
        yield _gauge("signage_player_rss_bytes", "The player's resident memory",
                     _bytes(box["memory"]["player_rss_mb"]))

    def _frames(self, doc: dict) -> Iterator[Metric]:
        yield _gauge("signage_fps", "Frames presented per second (recent)", doc.get("fps"))
        yield _gauge("signage_target_fps", "The frame rate the player aims for", doc.get("target_fps"))
        # Plain gauges with a `stat` label: `quantile` belongs to summaries, which also carry
        # a count and a sum that the status document does not have (promtool says so).
        stats = GaugeMetricFamily("signage_frame_seconds",
                                  "Time to compose and present a frame over recent frames, "
                                  "by statistic (median, p99, max)", labels=["stat"])
        for stat in ("median", "p99", "max"):
            value = _number(nested(doc, "frame_ms", stat))
            if value is not None:
                stats.add_metric([stat], value / 1000)
        yield stats
        for name, key, text in (("signage_frames", "frames", "Frames presented since start"),
                                ("signage_dropped_frames", "dropped_frames",
                                 "Frame ticks skipped because a frame ran late")):
            value = _number(doc.get(key))
            if value is not None:
                yield CounterMetricFamily(name, text, value=value)
        yield _gauge("signage_uptime_seconds", "Seconds since the player started", doc.get("uptime_s"))

    def _panel(self, doc: dict) -> Iterator[Metric]:
        yield _gauge("signage_brightness_desired_percent", "Brightness the player wants",
                     nested(doc, "brightness", "desired"))
        yield _gauge("signage_brightness_applied_percent", "Brightness last set on the panel",
                     nested(doc, "brightness", "applied"))
        yield _gauge("signage_power_on", "1 if the wall is lit, 0 if blanked",
                     nested(doc, "power", "on"))
        yield _gauge("signage_test_pattern_active", "1 while a test pattern is shown",
                     doc.get("test_pattern") is not None if "test_pattern" in doc else None)
        link = nested(doc, "driver", "link")
        yield _gauge("signage_driver_link_up", "1 if the driver's link to the panel is up",
                     None if link is None else link == "up")
        yield _gauge("signage_driver_ok", "1 if the last frame reached the driver",
                     nested(doc, "driver", "ok"))
        yield _gauge("signage_telemetry_age_seconds", "Age of the panel's last read-back",
                     nested(doc, "driver", "age_s"))

    def _cards(self, doc: dict) -> Iterator[Metric]:
        """Per receiving card (NovaStar): temperature, voltage, present."""
        cards = nested(doc, "driver", "extra", "cards")
        families = {key: GaugeMetricFamily(name, text, labels=["port", "index"])
                    for key, name, text in (
                        ("temperature_c", "signage_card_temperature_celsius",
                         "Receiving card temperature"),
                        ("voltage_v", "signage_card_voltage_volts", "Receiving card supply voltage"),
                        ("present", "signage_card_present", "1 if the receiving card answers"))}
        for card in cards if isinstance(cards, list) else []:
            if not isinstance(card, dict):
                continue
            labels = [str(card.get("port")), str(card.get("index"))]
            for key, family in families.items():
                value = _number(card.get(key))
                if value is not None:
                    family.add_metric(labels, value)
        yield from families.values()


def _gauge(name: str, text: str, value: Any) -> GaugeMetricFamily:
    """A gauge with one sample, or none when the value is unknown (not a made-up 0)."""
    family = GaugeMetricFamily(name, text)
    number = _number(value)
    if number is not None:
        family.add_metric([], number)
    return family


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    return float(value) if isinstance(value, (int, float)) else None


def _timestamp(text: Any) -> float | None:
    try:
        return dt.datetime.fromisoformat(text).timestamp() if isinstance(text, str) else None
    except ValueError:
        return None


def _bytes(mb: float | None) -> float | None:
    return None if mb is None else mb * 2**20


def registry_for(request: Request) -> CollectorRegistry:
    """This app's registry, made at its first scrape."""
    state = request.app.state
    with _registry_lock:
        registry = getattr(state, "metrics_registry", None)
        if registry is None:
            registry = CollectorRegistry(auto_describe=False)
            registry.register(StatusCollector(state.settings, state.clock))
            state.metrics_registry = registry
    return registry


@router.get("/metrics", dependencies=[Depends(require_role("technician"))],
            response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text format (version 0.0.4)"}})
def get_metrics(request: Request) -> Response:
    """Frame rate and times, brightness, power, link, card temperatures and voltages,
    disk and memory, for Prometheus (scrape with a technician token)."""
    return Response(generate_latest(registry_for(request)), media_type=TEXT_FORMAT)
