"""Times as staff read them: the site's zone (settings.site_timezone), dd/mm/yyyy HH:MM;
and the local dates and times that forms send (<input type=date|datetime-local>)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from fastapi import Request

from signage.services.errors import Invalid

SHOWN = "%d/%m/%Y %H:%M"


def site_zone(request: Request) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(request.app.state.settings.site_timezone)


def site_now(request: Request) -> dt.datetime:
    return request.app.state.clock.now().astimezone(site_zone(request))


def shown(value: Any, zone: dt.tzinfo) -> str:
    """An aware datetime or ISO text as 02/12/2026 18:00 in `zone`; '' for nothing, and
    text that is not a time as it is (the page escapes it)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return str(value)
    return value.astimezone(zone).strftime(SHOWN)


def local_moment(text: str, field: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A datetime-local field ('2026-12-02T18:00') as an aware time in the site's zone;
    None when empty; Invalid naming `field` when it is not a time."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Invalid.field(field, "bad_local_time", "is not a date and time",
                            value=text[:30]) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def local_day(text: str | None, field: str) -> dt.date | None:
    """A date field ('2026-12-02'); None when empty; Invalid naming `field` otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid.field(field, "bad_date", "is not a date; write YYYY-MM-DD",
                            value=text[:20]) from None


def day_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone)
