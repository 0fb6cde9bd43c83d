"""Times as staff read them: the site's zone (settings.site_timezone), dd/mm/yyyy HH:MM;
and the local dates and times that forms send (<input type=date|datetime-local>), which
carry no zone: they mean the site's local time. Every console page uses these."""

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


def shown(value: Any, zone: dt.tzinfo | str) -> str:
    """A datetime or ISO text as 02/12/2026 18:00 in `zone` (a zone or its name); '' for
    nothing, text that is not a time as it is (the page escapes it). A time without an
    offset is UTC, as the store writes its times."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone
    return value.astimezone(zone).strftime(SHOWN)


def form_value(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The value of an <input type="datetime-local"> showing `moment` at the site."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def from_form(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A datetime-local value ('2026-12-02T18:00') read as the site's local time; None if
    it is not one (local_moment, below, names the field instead)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


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
