"""Proof of play, for the programme's periodic reports (roles as /api/plays): a local month
or local dates, totals per department, playlist and item (services/proof.py, added up in
SQL), the plays as a CSV that Excel opens (the API's excel=true file), and a print layout."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from signage.console.auth import Visitor, page_for
from signage.console.forms import refusal_messages
from signage.console.localtime import shown, site_now, site_zone
from signage.console.views import render
from signage.services import proof
from signage.services.errors import Invalid

router = APIRouter(include_in_schema=False)

READERS = ("technician", "approver")  # as GET /api/plays
ReaderPage = Annotated[Visitor, Depends(page_for(*READERS))]
DateText = Annotated[str, Query(max_length=200)]


@router.get("/plays")
def plays_page(request: Request, who: ReaderPage, month: DateText = "",
               first: Annotated[str, Query(alias="from", max_length=200)] = "",
               last: Annotated[str, Query(alias="to", max_length=200)] = "") -> Response:
    now = site_now(request)
    asked = {"month": month.strip(), "from": first.strip(), "to": last.strip()}
    try:
        start, end = _period(request, asked)
    except Invalid as refusal:
        return render(request, who, "plays.html", status_code=422, asked=asked, report=None,
                      problems=refusal_messages(refusal, who.lang), generated=shown(now, now.tzinfo))
    records = request.app.state.store_slot.get().records
    report = proof.report(records, start, end)
    return render(request, who, "plays.html", asked=asked, report=report, problems=[],
                  period=_period_words(start, end), generated=shown(now, now.tzinfo),
                  csv_query=urlencode({k: v for k, v in asked.items() if v}),
                  shares=_shares(report))


@router.get("/plays.csv")
def plays_csv(request: Request, who: ReaderPage, month: DateText = "",
              first: Annotated[str, Query(alias="from", max_length=200)] = "",
              last: Annotated[str, Query(alias="to", max_length=200)] = "") -> Response:
    """Every play started in the period, for Excel: the same file as
    GET /api/plays?excel=true (a byte order mark, local times)."""
    asked = {"month": month.strip(), "from": first.strip(), "to": last.strip()}
    try:
        start, end = _period(request, asked)
    except Invalid as refusal:
        return render(request, who, "plays.html", status_code=422, asked=asked, report=None,
                      problems=refusal_messages(refusal, who.lang), generated="")
    records = request.app.state.store_slot.get().records
    plays = [play.as_dict() for play in records.plays(start, end)]
    return Response(proof.plays_csv(plays, site_zone(request), excel=True),
                    media_type="text/csv; charset=utf-8", headers={
                        "Content-Disposition":
                            f'attachment; filename="{proof.csv_filename(start, end)}"',
                        "Cache-Control": "no-store"})


def _period(request: Request, asked: dict[str, str]) -> tuple[dt.datetime, dt.datetime]:
    return proof.period(site_zone(request), site_now(request).date(), month=asked["month"],
                        first=asked["from"], last=asked["to"])


def _period_words(start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    """The period as staff write it: its first and last local days."""
    return {"first": start.strftime("%d/%m/%Y"),
            "last": (end - dt.timedelta(days=1)).strftime("%d/%m/%Y")}


def _shares(report: dict[str, Any]) -> dict[str, float]:
    """Each department's and playlist's share of the period's screen time, in percent."""
    total = report["seconds"] or 1.0
    return {f"{kind}:{row['name']}": round(100 * row["seconds"] / total, 1)
            for kind in ("departments", "playlists") for row in report[kind]}
