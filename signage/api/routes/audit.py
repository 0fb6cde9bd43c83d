"""The audit log, for admins: who changed what, when, and the revision it made.

Read in pages: pass the last id you have as since_id to get what came after it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from signage.api.deps import RecordsDep, SiteZoneDep, require_role
from signage.api.localtime import local_iso

router = APIRouter(prefix="/api/audit", tags=["audit"])

MAX_ID = 2 ** 63 - 1
MAX_PAGE = 1000


class AuditRecord(BaseModel):
    id: int
    at: str = Field(description="Time of the change, at the site's offset (+07:00)")
    actor: str = Field(description="The user or API token name (or 'import' for the CLI)")
    role: str
    action: str = Field(description="What was done, e.g. playlist.approve")
    target: str | None
    revision: int | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditRecord]
    next_since_id: int = Field(description="Pass this as since_id for the entries after these")


@router.get("", dependencies=[Depends(require_role("admin"))])
def get_audit(
    records: RecordsDep,
    zone: SiteZoneDep,
    since_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
) -> AuditPage:
    """Entries after `since_id`, oldest first, at most `limit` of them."""
    entries = [AuditRecord(**{**entry.as_dict(), "at": local_iso(entry.at, zone)})
               for entry in records.audit_log(since_id, limit)]
    return AuditPage(entries=entries, next_since_id=entries[-1].id if entries else since_id)
