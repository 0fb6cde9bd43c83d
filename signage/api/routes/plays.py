"""Proof of play: what the wall showed and when, as JSON or CSV, and a monthly summary.

The player records each item shown (zone, playlist, item, revision, start, end and the
sha256 of its first full frame's pixels in the zone, RGBX rows) in batches; this reads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from signage.api.deps import ClockDep, RecordsDep, require_role

router = APIRouter(prefix="/api/plays", tags=["plays"])

_READERS = [Depends(require_role("technician", "approver"))]
DEFAULT_SPAN = dt.timedelta(days=1)
MAX_SPAN = dt.timedelta(days=366)
CSV_TYPE = "text/csv; charset=utf-8"
CSV_FIELDS = ("started_at", "ended_at", "seconds", "zone", "playlist", "item", "kind", "label",
              "revision", "frame_sha256", "clock_trusted")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@router.get("", dependencies=_READERS, responses={200: {"content": {
    "application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    "description": "Plays overlapping the window, oldest first"}})
def get_plays(
    request: Request, records: RecordsDep, clock: ClockDep,
    start: Annotated[dt.datetime | None, Query(alias="from", description=(
        "window start with a time zone (default: a day before `to`)"))] = None,
    end: Annotated[dt.datetime | None, Query(alias="to", description=(
        "window end with a time zone (default: now)"))] = None,
    format: Annotated[Literal["json", "csv"] | None, Query(description=(
        "json or csv (default: json, or csv when Accept asks for text/csv)"))] = None,
) -> Any:
    """Every item shown in [from, to) (at most 366 days): start, end, zone, playlist, item,
    kind, label, revision and the hash of its first full frame."""
    end = _aware(end, "to") or clock.now()
    try:
        start = _aware(start, "from") or end - DEFAULT_SPAN
    except OverflowError:
        raise _invalid("to", "is too early; give a later time") from None
    if start >= end:
        raise _invalid("from", "must be before `to`")
    if end - start > MAX_SPAN:
        raise _invalid("from", f"the window is longer than {MAX_SPAN.days} days; ask month by month")
    plays = [play.as_dict() for play in records.plays(start, end)]
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        return Response(_csv(plays), media_type=CSV_TYPE, headers={
            "Content-Disposition": f'attachment; filename="plays-{start:%Y%m%d}-{end:%Y%m%d}.csv"'})
    return {"from": start.isoformat(), "to": end.isoformat(), "count": len(plays), "plays": plays}


@router.get("/summary", dependencies=_READERS)
def get_summary(records: RecordsDep, clock: ClockDep, month: Annotated[str | None, Query(
        description="YYYY-MM in UTC, e.g. 2027-02 (default: this month)")] = None) -> dict[str, Any]:
    """Per playlist item in a month: how many times it played and its seconds on screen."""
    if month is None:
        month = clock.now().astimezone(dt.timezone.utc).strftime("%Y-%m")
    elif not _MONTH.match(month):
        raise RequestValidationError([{"loc": ("query", "month"), "type": "value_error",
                                       "msg": f"{month[:20]!r} is not a month; write YYYY-MM, e.g. 2027-02"}])
    items = records.play_summary(month)
    return {"month": month, "plays": sum(i["plays"] for i in items),
            "seconds": round(sum(i["seconds"] for i in items), 1),
            "untrusted_plays": sum(i["untrusted_plays"] for i in items), "items": items}


def _aware(moment: dt.datetime | None, name: str) -> dt.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise _invalid(name, "needs a time zone, e.g. 2027-02-01T00:00:00+07:00 or ...Z")
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        raise _invalid(name, "is out of range") from None


def _invalid(name: str, reason: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": reason, "type": "value_error"}])


def _csv(plays: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for play in plays:
        writer.writerow({key: _cell(value) for key, value in play.items()})
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON, not Python's True
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, never run
    return value
