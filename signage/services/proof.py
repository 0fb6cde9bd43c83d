"""Proof of play for the programme's reports: a period in local dates, totals per playlist,
item and department, and the plays as CSV (for Excel: a byte order mark and local times).

GET /api/plays and the console's report page both come here, so the file staff download
from either is the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any, Iterable

from signage.services.errors import Invalid
from signage.store.records import ITEM_KEYS, Records, roll_up

MAX_SPAN = dt.timedelta(days=366)
CSV_FIELDS = ("started_at", "ended_at", "seconds", "zone", "playlist", "item", "kind", "label",
              "revision", "emergency", "frame_sha256", "clock_trusted")
# Excel opens UTF-8 as its ANSI code page unless the file starts with a byte order mark,
# and reads "2026-12-01 08:00:00" as a date and time but not ISO 8601 with an offset.
EXCEL_BOM = "\ufeff"
EXCEL_TIME = "%Y-%m-%d %H:%M:%S"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def local_month(month: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """'2027-02' -> the first instants of that local month and of the next."""
    year, number = map(int, month.split("-"))
    following = (year + number // 12, number % 12 + 1)
    return (dt.datetime(year, number, 1, tzinfo=zone),
            dt.datetime(*following, 1, tzinfo=zone))


def period(zone: dt.tzinfo, today: dt.date, month: str | None = None,
           first: str | None = None, last: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The report's period as instants [start, end): a local month ('2027-02'), or local
    dates from `first` to `last` inclusive; neither: this month. Invalid names the field."""
    if first or last:
        first_day = _date(first or last, "from")
        last_day = _date(last or first, "to")
        if last_day < first_day:
            raise Invalid.field("to", "dates_reversed", "ends before it starts",
                                first=first_day.isoformat(), last=last_day.isoformat())
        if last_day - first_day >= MAX_SPAN:
            raise Invalid.field("from", "period_too_long", "is longer than 366 days",
                                days=MAX_SPAN.days)
        return (dt.datetime.combine(first_day, dt.time(), zone),
                dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), zone))
    month = month or today.strftime("%Y-%m")
    if not MONTH.match(month):
        raise Invalid.field("month", "bad_month", "is not a month; write YYYY-MM",
                            value=month[:20])
    return local_month(month, zone)


def _date(text: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise Invalid.field(field, "bad_date", "is not a date; write YYYY-MM-DD",
                            value=(text or "")[:20]) from None


def report(records: Records, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Plays started in [start, end): totals overall, per department, per playlist (most
    time on screen first) and per item; the store adds the plays up in SQL, in one pass."""
    groups = records.play_groups(start, end)
    items = roll_up(groups, ITEM_KEYS)
    return {"plays": sum(i["plays"] for i in items),
            "seconds": round(sum(i["seconds"] for i in items), 1),
            "untrusted_plays": sum(i["untrusted_plays"] for i in items),
            "departments": _ranked(groups, "department"),
            "playlists": _ranked(groups, "playlist"),
            "items": items}


def _ranked(groups: list[dict], key: str) -> list[dict]:
    """Totals per `key` as {name, plays, seconds, untrusted_plays}, most seconds first."""
    rows = [{"name": row[key] or "", "plays": row["plays"], "seconds": row["seconds"],
             "untrusted_plays": row["untrusted_plays"]} for row in roll_up(groups, (key,))]
    return sorted(rows, key=lambda row: (-row["seconds"], row["name"]))


def plays_csv(plays: Iterable[dict], zone: dt.tzinfo, excel: bool) -> str:
    """Plays (Play.as_dict()) as CSV; for Excel with a byte order mark and local times
    written as 2026-12-01 08:00:00, else ISO 8601 at the site's offset."""
    out = io.StringIO()
    out.write(EXCEL_BOM if excel else "")
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for play in plays:
        row = {key: _cell(value) for key, value in play.items()}
        for key in ("started_at", "ended_at"):
            moment = dt.datetime.fromisoformat(play[key]).astimezone(zone)
            row[key] = moment.strftime(EXCEL_TIME) if excel else moment.isoformat()
        writer.writerow(row)
    return out.getvalue()


def csv_filename(start: dt.datetime, end: dt.datetime) -> str:
    return f"plays-{start:%Y%m%d}-{end:%Y%m%d}.csv"


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON, not Python's True
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, never run
    return value
