"""Times as staff read them: in the site's zone (Asia/Ho_Chi_Minh), dd/mm/yyyy HH:MM."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_text(value: str | dt.datetime | None, zone: str) -> str:
    """The store's UTC text (or an aware datetime) in `zone`, as dd/mm/yyyy HH:MM."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # the store writes UTC
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")
