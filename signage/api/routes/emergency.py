"""Emergency messages: an urgent trilingual notice that takes over the whole panel.

Stored as desired state, so it survives restarts of either process; the player shows the
highest-priority current notice within a second and gives the screen back at expiry. Only
an approver may post or cancel one, and each is written to the audit log with it.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import JSONResponse

from signage.api.deps import ClockDep, DesiredDep, TokenDep, require_role
from signage.api.documents import REQUEST_BODY_DOC, Upload, parse_upload, read_document_body, rejected
from signage.content.documents import DocumentError, Problem, validate_emergency
from signage.errors import StoreError, StoreUnavailable

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/emergency", tags=["emergency"])
_MAX_ID = 2 ** 63 - 1  # SQLite's largest integer; a larger id is a 422, not a crash


@router.get("", dependencies=[Depends(require_role("approver", "technician", "editor"))])
def list_emergencies(desired: DesiredDep, clock: ClockDep) -> dict[str, Any]:
    """Every emergency notice, newest first, and the one on screen now (if any)."""
    now = clock.now()
    notices = desired.emergencies()
    current = desired.emergencies(current_at=now)
    showing = next((e.id for e in current if e.active(now)), None)
    return {"showing": showing,
            "emergencies": [{**e.as_dict(), "active": e.active(now)} for e in notices]}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_role("approver"))],
    openapi_extra=REQUEST_BODY_DOC,
    responses={422: {"description": "Every problem in the notice, with field path"}},
)
def post_emergency(
    upload: Annotated[Upload, Depends(read_document_body)],
    token: TokenDep, desired: DesiredDep, clock: ClockDep,
) -> Any:
    """Store a notice; it is on the panel within a second of this answer."""
    try:
        notice, starts_at, expires_at = validate_emergency(parse_upload(upload), clock.now())
    except DocumentError as exc:
        return _refused(exc.problems)
    emergency = desired.add_emergency(notice.text, expires_at, token.name, notice.priority,
                                      starts_at, role=token.role)
    log.warning("emergency notice %d by %s until %s: %s", emergency.id, token.name,
                expires_at.isoformat(), notice.text.vi[:80])
    return {**emergency.as_dict(), "active": emergency.active(clock.now())}


@router.delete("/{emergency_id}", dependencies=[Depends(require_role("approver"))],
               responses={404: {"description": "No notice has this id"}})
def cancel_emergency(emergency_id: Annotated[int, Path(ge=1, le=_MAX_ID)], token: TokenDep,
                     desired: DesiredDep, clock: ClockDep) -> Any:
    """End a notice now; the schedule gets the screen back."""
    try:
        emergency = desired.cancel_emergency(emergency_id, token.name, role=token.role)
    except StoreUnavailable:  # a busy or broken database: the app's 503, not a 404
        raise
    except StoreError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    log.warning("emergency notice %d cancelled by %s", emergency_id, token.name)
    return {**emergency.as_dict(), "active": emergency.active(clock.now())}


def _refused(problems: list[Problem]) -> JSONResponse:
    return rejected(problems, "the emergency notice was not stored; nothing is shown")
