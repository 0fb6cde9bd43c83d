"""Times in the API as the site reads them: ISO 8601 with the site's offset (+07:00).

The store keeps UTC (sortable text, SQL comparisons); every answer shows the same instant
in `settings.site_timezone`, so staff read 08:00+07:00 where the wall showed 08:00. A
date-only query (`from=2026-12-01`) means that local day.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from fastapi.exceptions import RequestValidationError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Keys whose values are instants: every `*_at`, and these.
_TIME_KEYS = frozenset({"at", "from", "to", "next_change", "since"})


def site_zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_iso(value: Any, zone: dt.tzinfo) -> Any:
    """An aware datetime or ISO text -> ISO text at the site's offset; anything else as is."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(zone).isoformat()
    return value


def in_site_time(data: Any, zone: dt.tzinfo) -> Any:
    """`data` with every instant under a time key (`*_at`, at, from, to, next_change,
    since) shown at the site's offset, through nested dicts and lists."""
    if isinstance(data, dict):
        return {key: (local_iso(value, zone) if _is_time_key(key) and not isinstance(value, (dict, list))
                      else in_site_time(value, zone)) for key, value in data.items()}
    if isinstance(data, list):
        return [in_site_time(value, zone) for value in data]
    return data


def _is_time_key(key: object) -> bool:
    return isinstance(key, str) and (key.endswith("_at") or key in _TIME_KEYS)


def query_instant(text: str | None, name: str, zone: dt.tzinfo, *, end_of_day: bool = False
                  ) -> dt.datetime | None:
    """A query's time in UTC: ISO 8601 with a zone, or a date alone meaning the site's
    local day (its start; with `end_of_day`, the start of the next day, so to=D covers D)."""
    if text is None:
        return None
    text = text.strip()
    try:
        if _DATE_ONLY.match(text):
            day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end_of_day else 0)
            return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.timezone.utc)
        moment = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise query_refusal(name, f"{text[:40]!r} is not a date or time; write 2027-02-01 (a "
                                  "local day) or 2027-02-01T08:00:00+07:00") from None
    if moment.tzinfo is None:
        raise query_refusal(name, "needs a time zone, e.g. 2027-02-01T00:00:00+07:00 or ...Z; "
                                  "or give a date alone for the site's local day")
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        raise query_refusal(name, "is out of range") from None


def query_refusal(name: str, reason: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": reason, "type": "value_error"}])
