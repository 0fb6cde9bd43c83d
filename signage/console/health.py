"""Health at a glance for the console's overview: a green, amber or red light for the
player, frames, the panel link, each receiving card's temperature and voltage, disk free,
clock trust and an emergency on air. Pure: documents and `now` in, lights out.

A light carries a stable code (`frames.low`) and the number behind it, never a sentence:
the console words each code from its catalogs, in Vietnamese or English. The limits are
the alert rules' (monitoring/signage-alerts.yml): what Prometheus calls a warning is amber
here, a critical alert red. Where the rules have no level (a card's red temperature, its
voltage, the disk's red) the limits are named below with the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Iterator, Sequence

from signage.store.history import MinutePoint
from signage.store.runtime import PLAYER_STALE_AFTER_S, aware_datetime, nested

GREEN, AMBER, RED = "green", "amber", "red"

FPS_LOW_SHARE = 0.8  # SignageFrameRateLow: below 80% of the target frame rate
FPS_LOW_MINUTES = 5  # ... for 5 minutes: the history's last 5 points say so
CARD_HOT_C = 70.0  # SignageCardTemperatureHigh
# No rule is red for heat; 80 °C is where receiving cards' ratings end (most are rated
# for 70-80 °C): brightness must come down now, not in 5 minutes.
CARD_CRITICAL_C = 80.0
# Receiving cards take 3.8-5.5 V (NovaStar's rated input); under 4.5 V a cabinet's supply
# sags under load (a failing power supply shows here first). No alert rule watches this.
CARD_VOLTS_RATED = (3.8, 5.5)
CARD_VOLTS_LOW = 4.5
DISK_LOW_MB = 500.0  # SignageDiskLow
# Red: uploads are soon refused and proof of play cannot be written for long.
DISK_CRITICAL_MB = 100.0
EMERGENCY_OVERRUN_S = 60.0  # SignageEmergencyOverrun: on screen 60 s after its end


@dataclasses.dataclass(frozen=True)
class Light:
    """One light: `code` is `subject.situation` (stable; the console's catalogs word it),
    `figure` the number behind it (fps, °C, V, MB free, seconds), `limit` the number it
    was held against, `card` which receiving card (port/index) for card lights."""

    code: str
    level: str
    figure: float | None = None
    limit: float | None = None
    card: str | None = None

    @property
    def subject(self) -> str:
        return self.code.partition(".")[0]


def health_lights(status: dict[str, Any] | None, history: Sequence[MinutePoint] | None,
                  now: dt.datetime) -> list[Light]:
    """The lights for `status` (GET /api/status's answer: the player's status document
    with the box's disk; a dict with only `disk` when the player wrote none) and
    `history` (the minute points, oldest first) at `now`. A player that is not alive
    gets a red light and the disk's; the rest of its document is too old to judge by."""
    status = status if isinstance(status, dict) else {}
    lights = [_player(status, now)]
    if lights[0].level == GREEN:
        lights += [_frames(status, history or (), now), _panel_link(status)]
        lights += _cards(status)
    lights += [light for light in (_disk(status),) if light is not None]
    if lights[0].level == GREEN:
        lights += [_clock(status), _emergency(status, now)]
    return lights


def _player(status: dict, now: dt.datetime) -> Light:
    stamp = aware_datetime(status.get("updated_at"))
    if stamp is None:
        return Light("player.none", RED)
    age = round((now - stamp).total_seconds(), 1)
    # Far in the future is a clock set back since: not alive either (as the API says).
    if abs(age) > PLAYER_STALE_AFTER_S:
        return Light("player.stale", RED, figure=age, limit=PLAYER_STALE_AFTER_S)
    return Light("player.alive", GREEN, figure=age, limit=PLAYER_STALE_AFTER_S)


def _frames(status: dict, history: Sequence[MinutePoint], now: dt.datetime) -> Light:
    fps, target = _number(status.get("fps")), _number(status.get("target_fps"))
    if fps is None:  # the first status of a run, before two frames were presented
        return Light("frames.unknown", AMBER, limit=target)
    if fps <= 0:  # none presented lately: the loop is stuck (SignagePlayerStalled)
        return Light("frames.stalled", RED, figure=fps, limit=target)
    if target is None:
        return Light("frames.ok", GREEN, figure=fps)
    limit = round(FPS_LOW_SHARE * target, 2)
    # The minutes that ended in the last FPS_LOW_MINUTES + 1 (not a run from yesterday).
    since = now - dt.timedelta(minutes=FPS_LOW_MINUTES + 1)
    recent = [p.fps_mean for p in history if isinstance(p, MinutePoint) and p.at >= since
              and p.fps_mean is not None]
    sustained = len(recent) >= FPS_LOW_MINUTES and max(recent) < limit
    if fps < limit or sustained:
        return Light("frames.low", AMBER, figure=fps, limit=limit)
    return Light("frames.ok", GREEN, figure=fps, limit=limit)


def _panel_link(status: dict) -> Light:
    link, age = nested(status, "driver", "link"), _number(nested(status, "driver", "age_s"))
    if link == "down":
        return Light("panel_link.down", RED, figure=age)
    if nested(status, "driver", "ok") is False:  # the last frame did not reach the panel
        return Light("panel_link.failing", RED, figure=age)
    if link != "up":
        return Light("panel_link.unknown", AMBER, figure=age)
    return Light("panel_link.up", GREEN, figure=age)


def _cards(status: dict) -> Iterator[Light]:
    """Per receiving card the driver reads back (NovaStar): present, heat, supply. None
    while the link is down: the readings are the last ones before it went (its light is
    red already)."""
    if nested(status, "driver", "link") == "down":
        return
    cards = nested(status, "driver", "extra", "cards")
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, dict):
            continue
        where = f"{card.get('port')}/{card.get('index')}"
        if card.get("present") is False:
            yield Light("card.absent", RED, card=where)
            continue
        temperature, volts = _number(card.get("temperature_c")), _number(card.get("voltage_v"))
        if temperature is not None:
            yield _card_temperature(temperature, where)
        if volts is not None:
            yield _card_voltage(volts, where)


def _card_temperature(celsius: float, where: str) -> Light:
    if celsius > CARD_CRITICAL_C:
        return Light("card_temperature.critical", RED, celsius, CARD_CRITICAL_C, where)
    if celsius > CARD_HOT_C:
        return Light("card_temperature.high", AMBER, celsius, CARD_HOT_C, where)
    return Light("card_temperature.ok", GREEN, celsius, CARD_HOT_C, where)


def _card_voltage(volts: float, where: str) -> Light:
    low, high = CARD_VOLTS_RATED
    if volts < low:
        return Light("card_voltage.critical_low", RED, volts, low, where)
    if volts > high:
        return Light("card_voltage.critical_high", RED, volts, high, where)
    if volts < CARD_VOLTS_LOW:
        return Light("card_voltage.low", AMBER, volts, CARD_VOLTS_LOW, where)
    return Light("card_voltage.ok", GREEN, volts, CARD_VOLTS_LOW, where)


def _disk(status: dict) -> Light | None:
    free = _number(nested(status, "disk", "free_mb"))
    if free is None:
        return None  # no disk figure was handed in: no light rather than a guess
    if free < DISK_CRITICAL_MB:
        return Light("disk.critical", RED, free, DISK_CRITICAL_MB)
    if free < DISK_LOW_MB:
        return Light("disk.low", AMBER, free, DISK_LOW_MB)
    return Light("disk.ok", GREEN, free, DISK_LOW_MB)


def _clock(status: dict) -> Light:
    if nested(status, "time", "trusted") is False:  # SignageClockUntrusted: only the default playlist
        return Light("clock.untrusted", AMBER)
    return Light("clock.trusted", GREEN)


def _emergency(status: dict, now: dt.datetime) -> Light:
    emergency = status.get("emergency")
    if not isinstance(emergency, dict):
        return Light("emergency.none", GREEN)
    ends = aware_datetime(emergency.get("expires_at"))
    left = None if ends is None else round((ends - now).total_seconds(), 1)
    if left is not None and left < -EMERGENCY_OVERRUN_S:
        return Light("emergency.overrun", RED, figure=left, limit=-EMERGENCY_OVERRUN_S)
    return Light("emergency.on_air", AMBER, figure=left)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


