"""Proof of play: what the wall showed and when, as JSON or CSV, and a monthly summary.

The player records each item shown (zone, playlist, item, revision, start, end and the
sha256 of its first full frame's pixels in the zone, RGBX rows) in batches; this reads them.
Times are shown at the site's offset; a date alone (`from=2026-12-01`) and a month mean
the site's local day and month.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from signage.api.deps import ClockDep, RecordsDep, SiteZoneDep, require_role
from signage.api.localtime import in_site_time, query_instant, query_refusal

router = APIRouter(prefix="/api/plays", tags=["plays"])

_READERS = [Depends(require_role("technician", "approver"))]
DEFAULT_SPAN = dt.timedelta(days=1)
MAX_SPAN = dt.timedelta(days=366)
CSV_TYPE = "text/csv; charset=utf-8"
CSV_FIELDS = ("started_at", "ended_at", "seconds", "zone", "playlist", "item", "kind", "label",
              "revision", "emergency", "frame_sha256", "clock_trusted")
# Excel opens UTF-8 as its ANSI code page unless the file starts with a byte order mark,
# and reads "2026-12-01 08:00:00" as a date and time but not ISO 8601 with an offset.
EXCEL_BOM = "\ufeff"
EXCEL_TIME = "%Y-%m-%d %H:%M:%S"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@router.get("", dependencies=_READERS, responses={200: {"content": {
    "application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    "description": "Plays overlapping the window, oldest first"}})
def get_plays(
    request: Request, records: RecordsDep, clock: ClockDep, zone: SiteZoneDep,
    start: Annotated[str | None, Query(alias="from", description=(
        "window start: a time with a zone (2026-12-01T08:00:00+07:00), or a date alone for "
        "the start of that local day (default: a day before `to`)"))] = None,
    end: Annotated[str | None, Query(alias="to", description=(
        "window end: a time with a zone, or a date alone for the end of that local day, so "
        "from=2026-12-01&to=2026-12-01 is that whole day (default: now)"))] = None,
    format: Annotated[Literal["json", "csv"] | None, Query(description=(
        "json or csv (default: json, or csv when Accept asks for text/csv)"))] = None,
    excel: Annotated[bool, Query(description=(
        "CSV for Excel: a UTF-8 byte order mark and times as 2026-12-01 08:00:00 (local)"
    ))] = False,
) -> Any:
    """Every item shown in [from, to) (at most 366 days): start, end, zone, playlist, item,
    kind, label, revision, emergency notice id and the hash of its first full frame."""
    end_at = query_instant(end, "to", zone, end_of_day=True) or clock.now()
    try:
        start_at = query_instant(start, "from", zone) or end_at - DEFAULT_SPAN
    except OverflowError:
        raise query_refusal("to", "is too early; give a later time") from None
    if start_at >= end_at:
        raise query_refusal("from", "must be before `to`")
    if end_at - start_at > MAX_SPAN:
        raise query_refusal("from", f"the window is longer than {MAX_SPAN.days} days; ask "
                                    "month by month")
    start_at, end_at = start_at.astimezone(zone), end_at.astimezone(zone)
    plays = [play.as_dict() for play in records.plays(start_at, end_at)]
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv or excel:
        return Response(_csv(plays, zone, excel), media_type=CSV_TYPE, headers={
            "Content-Disposition":
                f'attachment; filename="plays-{start_at:%Y%m%d}-{end_at:%Y%m%d}.csv"'})
    # JSON as it is: every value is already text, a number or null, and FastAPI's walk
    # through a day of plays to make them so cost a third of the answer's time.
    return JSONResponse({"from": start_at.isoformat(), "to": end_at.isoformat(),
                         "count": len(plays), "plays": in_site_time(plays, zone)})


@router.get("/summary", dependencies=_READERS)
def get_summary(records: RecordsDep, clock: ClockDep, zone: SiteZoneDep,
                month: Annotated[str | None, Query(description=(
                    "YYYY-MM, the site's local month, e.g. 2027-02 (default: this month)"
                ))] = None) -> dict[str, Any]:
    """Per playlist item (and per emergency notice) in a month: how many times it played
    and its seconds on screen; plays count in the month they started in, local time."""
    if month is None:
        month = clock.now().astimezone(zone).strftime("%Y-%m")
    elif not _MONTH.match(month):
        raise query_refusal("month", f"{month[:20]!r} is not a month; write YYYY-MM, e.g. 2027-02")
    items = records.play_summary(*_local_month(month, zone))
    return {"month": month, "plays": sum(i["plays"] for i in items),
            "seconds": round(sum(i["seconds"] for i in items), 1),
            "untrusted_plays": sum(i["untrusted_plays"] for i in items), "items": items}


def _local_month(month: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """'2027-02' -> the first instants of that local month and of the next."""
    year, number = map(int, month.split("-"))
    following = (year + number // 12, number % 12 + 1)
    return (dt.datetime(year, number, 1, tzinfo=zone),
            dt.datetime(*following, 1, tzinfo=zone))


def _csv(plays: list[dict], zone: dt.tzinfo, excel: bool) -> str:
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


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON, not Python's True
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, never run
    return value
