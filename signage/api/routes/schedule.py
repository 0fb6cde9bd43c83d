"""The schedule: which playlist plays when, power hours and brightness, as one document."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status

from signage.api.deps import StoreDep, TokenDep, require_role
from signage.api.documents import REQUEST_BODY_DOC, Upload, parse_upload, read_document_body, rejected
from signage.content import DocumentError, Problem, dump_json, validate_document
from signage.importer import findings_as_problems
from signage.schedule import Schedule

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/schedule", tags=["schedule"])


@router.get("", dependencies=[Depends(require_role("editor", "approver", "technician"))],
             responses={404: {"description": "No schedule is published yet"}})
def get_schedule(store: StoreDep) -> Any:
    """The schedule the player follows, at its live revision."""
    live = store.live_schedule()
    if live is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail="no schedule is published; PUT one to /api/schedule")
    revision, schedule = live
    return {"revision": revision, "schedule": json.loads(dump_json(schedule))}


@router.put(
    "",
    # Editors publish directly until the approval workflow makes their saves drafts.
    dependencies=[Depends(require_role("editor", "approver"))],
    openapi_extra=REQUEST_BODY_DOC,
    responses={
        413: {"description": "The body is larger than 1 MB"},
        415: {"description": "The body is neither YAML nor JSON"},
        422: {"description": "Every problem in the document, with field path and line"},
    },
)
def put_schedule(
    upload: Annotated[Upload, Depends(read_document_body)], token: TokenDep, store: StoreDep,
) -> Any:
    """Validate and publish; the player follows it within a second. Warnings (such as
    equal-priority rules that overlap) do not stop publishing and are returned."""
    doc = parse_upload(upload)
    try:
        schedule = validate_document(doc, Schedule)
    except DocumentError as exc:
        return _refused(exc.problems)
    problems = findings_as_problems(schedule, doc, set(store.playlist_names()))
    errors = [p for p in problems if not p.warning]
    if errors:
        return _refused(errors)
    revision = store.publish_schedule(schedule, author=token.name)
    log.info("schedule %s published as revision %d by %s", schedule.name, revision, token.name)
    return {"name": schedule.name, "revision": revision,
            "warnings": [p.as_dict() for p in problems if p.warning]}


def _refused(problems: list[Problem]) -> Any:
    count = len(problems)
    return rejected(problems, f"the schedule was not published ({count} problem"
                    f"{'s' if count != 1 else ''}); the player keeps the one it has")
