"""Whether and when a playlist is on the wall, for people: the observed truth (what the
player shows now) beside the schedule's plan (when it will play next, under which rule).

Approving is not showing; this is what approvers and listings are told instead of a bare
"active".
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from signage.schedule.outlook import Outlook, outlook, timeline_ahead
from signage.settings import Settings
from signage.store.runtime import read_player_state


def playlist_outlooks(content, desired, settings: Settings, now: dt.datetime,
                      names: list[str] | None = None) -> dict[str, dict]:
    """Per playlist (default: every published one): on_screen_now, next_play, rule,
    until, in_schedule, and `says`, one sentence in local time."""
    live = content.live_schedule()
    schedule = live[1] if live else None
    zone = schedule.zone if schedule else ZoneInfo(settings.site_timezone)
    published = set(content.playlist_names())
    showing = showing_now(settings, now)
    # The schedule's plan once for all of them: it was worked out again for each
    # playlist, 12 playlists 30 ms of a listing's 35.
    facts = dict(schedule=schedule, active=content.active_playlist(), published=published,
                 play_now=desired.play_now(active_at=now),
                 plan=timeline_ahead(schedule, now) if schedule else None)
    answers = {}
    for name in names if names is not None else sorted(published):
        planned = outlook(name, now, **facts)
        on_screen = showing == name
        answers[name] = {"on_screen_now": on_screen, **planned.as_dict(),
                         "says": says(planned, on_screen, now, zone)}
    return answers


def showing_now(settings: Settings, now: dt.datetime) -> str | None:
    """The playlist the player shows now as content (not blanked, no pattern, no notice)."""
    observed = read_player_state(settings.status_path, now)
    doc = observed.document or {}
    if observed.alive and doc.get("state") == "playing" and doc.get("screen", "content") == "content":
        return doc.get("playlist")
    return None


def says(planned: Outlook, on_screen: bool, now: dt.datetime, zone: ZoneInfo) -> str:
    """'on screen now', 'from 22:00 under rule night', 'not in the schedule', ..."""
    if on_screen:
        return "on screen now"
    if planned.next_play is None:
        return "not in the schedule"
    under = f"under rule {planned.rule}" if planned.rule else "as the schedule's default"
    if planned.scheduled_at(now):
        return f"due on screen now {under} (the player has not shown it yet)"
    local = planned.next_play.astimezone(zone)
    day = "" if local.date() == now.astimezone(zone).date() else f" {local:%d/%m}"
    return f"from {local:%H:%M}{day} {under}"
