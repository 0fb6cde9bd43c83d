"""Emergency messages: an urgent trilingual notice that takes over the whole panel.

Stored as desired state, so it survives restarts of either process; the player shows the
highest-priority current notice within a second and gives the screen back at expiry. Only
an approver may post or cancel one, and each is written to the audit log with it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status

from signage.api.deps import ClockDep, DesiredDep, PrincipalDep, SiteZoneDep, require_role
from signage.api.localtime import in_site_time
from signage.api.documents import REQUEST_BODY_DOC, Upload, read_document_body
from signage.services import emergency as emergencies

router = APIRouter(prefix="/api/emergency", tags=["emergency"])
_MAX_ID = 2 ** 63 - 1  # SQLite's largest integer; a larger id is a 422, not a crash


@router.get("", dependencies=[Depends(require_role("approver", "technician", "editor"))])
def list_emergencies(desired: DesiredDep, clock: ClockDep, zone: SiteZoneDep) -> dict[str, Any]:
    """Every emergency notice, newest first, and the one on screen now (if any)."""
    now = clock.now()
    notices = desired.emergencies()
    showing = emergencies.showing_id(desired, now)
    return {"showing": showing,
            "emergencies": [in_site_time({**e.as_dict(), "active": e.active(now)}, zone)
                            for e in notices]}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_role("approver"))],
    openapi_extra=REQUEST_BODY_DOC,
    responses={422: {"description": "Every problem in the notice, with field path"}},
)
def post_emergency(
    upload: Annotated[Upload, Depends(read_document_body)],
    caller: PrincipalDep, desired: DesiredDep, clock: ClockDep, zone: SiteZoneDep,
) -> Any:
    """Store a notice; it is on the panel within a second of this answer."""
    emergency = emergencies.post_emergency(desired, clock, caller, upload.body, upload.as_json)
    return in_site_time({**emergency.as_dict(), "active": emergency.active(clock.now())}, zone)


@router.delete("/{emergency_id}", dependencies=[Depends(require_role("approver"))],
               responses={404: {"description": "No notice has this id"}})
def cancel_emergency(emergency_id: Annotated[int, Path(ge=1, le=_MAX_ID)], caller: PrincipalDep,
                     desired: DesiredDep, clock: ClockDep, zone: SiteZoneDep) -> Any:
    """End a notice now; the schedule gets the screen back."""
    emergency = emergencies.cancel_emergency(desired, caller, emergency_id)
    return in_site_time({**emergency.as_dict(), "active": emergency.active(clock.now())}, zone)
