"""The schedule: which playlist plays when, power hours and brightness, as one document.

Saving makes a draft revision; it takes effect when an approver approves it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from signage.api.deps import (ClockDep, ContentDep, DesiredDep, PrincipalDep, RevisionsDep,
                              SiteZoneDep,
                              require_role)
from signage.api.documents import (DOCUMENT_RESPONSES, REQUEST_BODY_DOC, Upload,
                                    read_document_body, saved_answer)
from signage.api.routes.revisions import (CHANGE_WITH_BODY_RESPONSES, MAX_ID, Revision,
                                          Rollback)
from signage.content.documents import dump_json
from signage.services import playnow, revisions
from signage.services.errors import Invalid
from signage.schedule.plan import day_timeline, shown_playlist
from signage.schedule.rules import Schedule
from signage.store.content import Content
from signage.store.revisions import Revisions

router = APIRouter(prefix="/api/schedule", tags=["schedule"])


@router.get("", dependencies=[Depends(require_role("editor", "approver", "technician"))],
             responses={404: {"description": "No schedule is published yet"}})
def get_schedule(content: ContentDep) -> Any:
    """The schedule the player follows, at its live revision."""
    live = content.live_schedule()
    if live is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail="no schedule is live; PUT one to /api/schedule, submit "
                            "it and have an approver approve it")
    revision, schedule = live
    return {"revision": revision, "schedule": json.loads(dump_json(schedule))}


@router.get("/plan", dependencies=[Depends(require_role("editor", "approver", "technician"))],
             responses={404: {"description": "No schedule is live, or no revision has this id"},
                        422: {"description": "date is not a day, or the revision is not a schedule"}})
def get_plan(content: ContentDep, revision_store: RevisionsDep, clock: ClockDep,
             date: Annotated[dt.date | None, Query(description=(
                 "the local day at the gate, YYYY-MM-DD (default: today there)"))] = None,
             revision: Annotated[int | None, Query(ge=1, le=MAX_ID, description=(
                 "a schedule revision to plan instead of the live one, e.g. a draft "
                 "awaiting approval"))] = None) -> dict[str, Any]:
    """What the wall shows through one day, stretch by stretch: `playlist`, the one the
    schedule picks, and `shows`, the one that really plays (the default when the picked
    one is not published; null when neither is, and the standby card shows); the rule
    that picked it; power (off: the wall is dark) and brightness. As if the clock were
    trusted and no emergency notice were posted."""
    number, schedule = _schedule_to_plan(content, revision_store, revision)
    day = date or clock.now().astimezone(schedule.zone).date()
    published = set(content.playlist_names())
    rows = [{"from": row.start.isoformat(), "to": row.end.isoformat(),
             "playlist": row.playlist, "shows": shown_playlist(row.playlist, schedule, published),
             "rule": row.rule, "power": "on" if row.power_on else "off",
             "brightness": None if row.brightness_start is None else {
                 "start": row.brightness_start, "min": row.brightness_min,
                 "max": row.brightness_max}}
            for row in day_timeline(schedule, day)]
    return {"date": day.isoformat(), "timezone": schedule.timezone, "revision": number,
            "rows": rows}


def _schedule_to_plan(content: Content, revision_store: Revisions,
                      revision: int | None) -> tuple[int, Schedule]:
    if revision is None:
        live = content.live_schedule()
        if live is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                detail="no schedule is live; give ?revision= to plan a draft")
        return live
    info = revisions.revision(revision_store, revision)
    if info.kind != "schedule":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"revision {revision} is a playlist; give a schedule "
                            "revision (GET /api/revisions?kind=schedule lists them)")
    return revision, Schedule.model_validate(info.body)


@router.put(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_role("editor", "approver"))],
    openapi_extra=REQUEST_BODY_DOC,
    responses=DOCUMENT_RESPONSES,
)
def put_schedule(
    upload: Annotated[Upload, Depends(read_document_body)], caller: PrincipalDep,
    content: ContentDep, revision_store: RevisionsDep,
) -> Any:
    """Validate and save as a draft revision; the player follows it once an approver
    approves it. Warnings (such as equal-priority rules that overlap) do not stop the
    save and are returned."""
    return saved_answer(revisions.save_schedule(content, revision_store, caller, upload.body,
                                                upload.as_json))


@router.post("/rollback", dependencies=[Depends(require_role("approver"))],
             responses=CHANGE_WITH_BODY_RESPONSES)
def rollback_schedule(rollback: Rollback, caller: PrincipalDep, revision_store: RevisionsDep,
                      content: ContentDep, zone: SiteZoneDep) -> Revision:
    """Make an earlier approved schedule revision the one the player follows again."""
    return Revision.of(revisions.rollback(revision_store, content, caller, "schedule", None,
                                          rollback.revision), zone)


class PlayNowBody(BaseModel):
    """A published playlist to show now, above the schedule, until a time or for a while."""

    model_config = ConfigDict(extra="forbid")
    playlist: str = Field(min_length=1, max_length=64)
    until: AwareDatetime | None = Field(
        None, description="when the schedule takes over again, with a time zone, e.g. "
        "2027-02-01T18:00:00+07:00")
    duration: str | StrictInt | StrictFloat | None = Field(
        None, description="how long from now: 30m, 2h (at most 7 days)")


@router.get("/play-now", dependencies=[Depends(require_role("editor", "approver", "technician"))])
def get_play_now(desired: DesiredDep, clock: ClockDep) -> dict[str, Any]:
    """The approver's play-now in force, if any (null when the schedule decides)."""
    found = desired.play_now(active_at=clock.now())
    return {"play_now": found.as_dict() if found else None}


@router.put("/play-now", dependencies=[Depends(require_role("approver"))],
            responses={404: {"description": "No published playlist has this name"},
                       400: {"description": "The body is not readable JSON"}})
def put_play_now(body: PlayNowBody, caller: PrincipalDep, content: ContentDep,
                 desired: DesiredDep, clock: ClockDep) -> dict[str, Any]:
    """Play a published playlist now, above the schedule (below emergency notices), until
    `until` or for `duration`; then the schedule decides again. Audited."""
    try:
        found = playnow.play_now_until(content, desired, clock, caller, body.playlist,
                                       until=body.until, duration=body.duration)
    except Invalid as exc:
        raise RequestValidationError([{"loc": ("body", p.path), "msg": p.reason,
                                       "type": "value_error"} for p in exc.problems]) from None
    return {"play_now": found.as_dict()}


@router.delete("/play-now", dependencies=[Depends(require_role("approver"))])
def delete_play_now(caller: PrincipalDep, desired: DesiredDep) -> dict[str, Any]:
    """End the play-now early: the schedule decides again."""
    was = playnow.stop_play_now(desired, caller)
    return {"cleared": was is not None, "was": was.as_dict() if was else None}
