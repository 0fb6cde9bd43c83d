"""Times as staff read them: in the site's zone, dd/mm/yyyy HH:MM, and back from the
datetime-local fields of forms (which carry no zone: they mean the site's local time)."""

from __future__ import annotations

import datetime as dt
import zoneinfo


def site_zone(request) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(request.app.state.settings.site_timezone)


def local_text(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """'02/12/2026 18:00' at the site; '' for None."""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M") if moment else ""


def form_value(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The value of an <input type="datetime-local"> showing `moment` at the site."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def from_form(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A datetime-local value ('2026-12-02T18:00') read as the site's local time; None if
    it is not one."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)
