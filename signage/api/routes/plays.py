"""Proof of play: what the wall showed and when, as JSON or CSV, and a monthly summary.

The player records each item shown (zone, playlist, item, revision, start, end and the
sha256 of its first full frame's pixels in the zone, RGBX rows) in batches; this reads them.
Times are shown at the site's offset; a date alone (`from=2026-12-01`) and a month mean
the site's local day and month.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from signage.api.deps import ClockDep, RecordsDep, SiteZoneDep, require_role
from signage.api.localtime import in_site_time, query_instant, query_refusal
from signage.services import proof
from signage.services.proof import MAX_SPAN, MONTH, csv_filename, local_month, plays_csv

router = APIRouter(prefix="/api/plays", tags=["plays"])

_READERS = [Depends(require_role("technician", "approver"))]
DEFAULT_SPAN = dt.timedelta(days=1)
CSV_TYPE = "text/csv; charset=utf-8"


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
        return Response(plays_csv(plays, zone, excel), media_type=CSV_TYPE, headers={
            "Content-Disposition": f'attachment; filename="{csv_filename(start_at, end_at)}"'})
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
    and its seconds on screen, with totals per playlist and per department (the one the
    played revision names); plays count in the month they started in, local time."""
    if month is None:
        month = clock.now().astimezone(zone).strftime("%Y-%m")
    elif not MONTH.match(month):
        raise query_refusal("month", f"{month[:20]!r} is not a month; write YYYY-MM, e.g. 2027-02")
    return {"month": month, **proof.report(records, *local_month(month, zone))}
