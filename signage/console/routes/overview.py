"""The overview: the live wall picture, what plays now and what comes next, health at a
glance. Everyone signed in may see it: it shows what a public wall shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from signage.api.observed import read_minute_history, read_snapshot
from signage.api.routes.status import box_health
from signage.console.auth import Visitor, every_role
from signage.console.charts import ChartWords, Threshold, line_chart
from signage.console.health import CARD_CRITICAL_C, CARD_HOT_C, FPS_LOW_SHARE, health_lights
from signage.console.i18n import gettext_for
from signage.console.lightwords import light_words
from signage.console.views import render
from signage.schedule.rules import Schedule
from signage.schedule.plan import day_timeline
from signage.store.runtime import read_player_state

router = APIRouter(include_in_schema=False)

AnyoneDep = Annotated[Visitor, Depends(every_role())]
LOOK_AHEAD_DAYS = 2  # today and tomorrow: a night's power hours end the next morning


@dataclasses.dataclass(frozen=True)
class Stretch:
    """A stretch of the schedule: from when, which playlist (None: wall off), which rule."""

    starts: dt.datetime
    playlist: str | None
    rule: str | None
    power_on: bool


@router.get("/")
def overview(request: Request, who: AnyoneDep) -> Response:
    settings, clock = request.app.state.settings, request.app.state.clock
    now = clock.now()
    player = read_player_state(settings.status_path, now)
    live = request.app.state.store_slot.get().content.live_schedule()
    schedule = live[1] if live else None
    zone = schedule.zone if schedule else ZoneInfo(settings.site_timezone)
    history = read_minute_history(settings.history_path, now) or []
    status = {**(player.document or {}),
              **box_health(settings.data_dir, (player.document or {}).get("rss_mb"))}
    gettext = gettext_for(who.lang)
    mark = DECIMAL_MARK.get(who.lang, ".")
    lights = [light_words(light, gettext, mark)
              for light in health_lights(status if player.document else {"disk": status["disk"]},
                                         history, now)]
    return render(request, who, "overview.html", player=player_facts(player, zone),
                  coming=coming_up(schedule, now) if schedule else None, zone=zone,
                  now=now.astimezone(zone), lights=lights,
                  charts=day_charts(history, player.document or {}, now, zone, gettext, mark))


DECIMAL_MARK = {"vi": ","}
CHART_SIZE = {"width": 600, "height": 180}


def day_charts(history, doc: dict, now: dt.datetime, zone: ZoneInfo, gettext,
               mark: str) -> list[str]:
    """The last 24 hours of frame rate and the hottest card's temperature, as SVG."""
    words = ChartWords(latest=gettext("Latest {value} {unit} at {time}."),
                       span=gettext("Lowest {low} {unit}, highest {high} {unit}."),
                       empty=gettext("No data."), decimal_mark=mark)
    window = {"start": now - dt.timedelta(hours=24), "end": now, "zone": zone, "words": words}
    target = doc.get("target_fps")
    fps_floor = (Threshold(round(FPS_LOW_SHARE * target, 1), "amber"),) \
        if isinstance(target, (int, float)) and not isinstance(target, bool) else ()
    charts = [line_chart([(p.at, p.fps_mean) for p in history], **CHART_SIZE, **window,
                         y_label=gettext("Frame rate"), unit=gettext("frames/s"),
                         thresholds=fps_floor, y_range=(0, None), chart_id="fps")]
    if any(p.temperature_max_c is not None for p in history):
        charts.append(line_chart(
            [(p.at, p.temperature_max_c) for p in history], **CHART_SIZE, **window,
            y_label=gettext("Panel temperature"), unit="°C", chart_id="temperature",
            thresholds=(Threshold(CARD_HOT_C, "amber"), Threshold(CARD_CRITICAL_C, "red"))))
    return charts


def player_facts(player, zone: ZoneInfo) -> dict[str, Any]:
    """What the status document says, with times in the site's zone."""
    doc = player.document or {}
    item = doc.get("item") or {}
    emergency = doc.get("emergency") or None
    return {"alive": player.alive, "known": player.document is not None,
            "state": doc.get("state"), "screen": doc.get("screen", "content"),
            "playlist": doc.get("playlist"), "item_kind": item.get("kind"),
            "remaining_s": item.get("remaining_s"), "rule": (doc.get("schedule") or {}).get("rule"),
            "fps": doc.get("fps"), "target_fps": doc.get("target_fps"),
            "emergency_until": _local(emergency.get("expires_at"), zone) if emergency else None}


def _local(text: str | None, zone: ZoneInfo) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text).astimezone(zone) if text else None
    except ValueError:
        return None


def coming_up(schedule: Schedule, now: dt.datetime) -> Stretch | None:
    """The next stretch of the plan that differs from the one playing now (another
    playlist, or power going off or on), looking at today and tomorrow at the gate."""
    today = now.astimezone(schedule.zone).date()
    current = None
    for offset in range(LOOK_AHEAD_DAYS):
        for row in day_timeline(schedule, today + dt.timedelta(days=offset)):
            if row.end <= now:
                continue
            shown = (row.playlist if row.power_on else None, row.power_on)
            if current is None:
                current = shown
            elif shown != current:
                return Stretch(row.start, row.playlist if row.power_on else None, row.rule,
                               row.power_on)
    return None


@router.get("/screen.png")
def wall_picture(request: Request, who: AnyoneDep) -> Response:
    """The last frame the player presented (as /api/screen.png), for the overview's picture."""
    settings, clock = request.app.state.settings, request.app.state.clock
    snapshot = read_snapshot(settings.snapshot_path, clock.now())
    if snapshot is None:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    return Response(snapshot.png, media_type="image/png",
                    headers={"Cache-Control": "no-store", "X-Frame-Age": f"{snapshot.age_s:.3f}"})
