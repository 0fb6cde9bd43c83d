"""The audit log, for admins (as GET /api/audit): newest first, 50 a page, filtered by who,
action and local dates. Pages are cut by id (older than the last one shown), so the store
reads 51 rows whatever its size and however deep one pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from signage.console.auth import Visitor, page_for
from signage.console.forms import refusal_messages
from signage.console.localtime import day_start, local_day, shown, site_zone
from signage.console.views import render
from signage.services.errors import Invalid

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
AdminPage = Annotated[Visitor, Depends(page_for("admin"))]
Short = Annotated[str, Query(max_length=200)]


@dataclasses.dataclass(frozen=True)
class Filters:
    who: str = ""
    action: str = ""
    first: str = ""   # local dates as the date fields send them (YYYY-MM-DD)
    last: str = ""

    def query(self, **more: object) -> str:
        fields = {"who": self.who, "action": self.action, "from": self.first,
                  "to": self.last, **more}
        return urlencode({k: v for k, v in fields.items() if v not in ("", None)})


@router.get("/audit")
def audit_page(request: Request, who: AdminPage, actor: Annotated[str, Query(
                   alias="who", max_length=200)] = "", action: Short = "",
               first: Annotated[str, Query(alias="from", max_length=200)] = "",
               last: Annotated[str, Query(alias="to", max_length=200)] = "",
               before: Annotated[int | None, Query(ge=1, le=2 ** 63 - 1)] = None) -> Response:
    filters = Filters(actor.strip(), action.strip(), first, last)
    zone = site_zone(request)
    try:
        start, end = _window(filters, zone)
    except Invalid as refusal:
        return render(request, who, "audit.html", status_code=422, filters=filters,
                      entries=[], older=None, paged=False,
                      problems=refusal_messages(refusal, who.lang))
    records = request.app.state.store_slot.get().records
    rows = records.audit_page(actor=filters.who or None, action=filters.action or None,
                              start=start, end=end, before_id=before, limit=PAGE_SIZE + 1)
    entries = [_entry(row, zone) for row in rows[:PAGE_SIZE]]
    older = filters.query(before=rows[PAGE_SIZE - 1].id) if len(rows) > PAGE_SIZE else None
    return render(request, who, "audit.html", filters=filters, entries=entries, older=older,
                  paged=before is not None, problems=[])


def _window(filters: Filters, zone) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The filter's local dates as [start, end) instants; `to` covers its whole day."""
    first, last = local_day(filters.first, "from"), local_day(filters.last, "to")
    if first and last and last < first:
        raise Invalid.field("to", "dates_reversed", "ends before it starts",
                            first=first.isoformat(), last=last.isoformat())
    return (day_start(first, zone) if first else None,
            day_start(last + dt.timedelta(days=1), zone) if last else None)


def _entry(row, zone) -> dict:
    detail = json.dumps(row.detail, ensure_ascii=False, sort_keys=True) if row.detail else ""
    return {"id": row.id, "at": shown(row.at, zone), "actor": row.actor, "role": row.role,
            "action": row.action, "target": row.target or "", "revision": row.revision,
            "detail": detail}
