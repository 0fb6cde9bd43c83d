"""Revisions and their approval: list and read them, submit, approve (goes live), reject.

Saving (PUT /api/playlists/{name}, PUT /api/schedule) makes a draft; nothing reaches the
screen until an approver approves it. Rolling back lives with each kind's own routes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from drivers.registry import panel_size
from signage.api.deps import (ClockDep, ContentDep, DesiredDep, PrincipalDep, RevisionsDep,
                              SettingsDep, require_role)
from signage.content.models import Playlist
from signage.services import revisions
from signage.services.onscreen import playlist_outlooks
from signage.store.revisions import MAX_REASON_CHARS, RevisionInfo

router = APIRouter(prefix="/api/revisions", tags=["revisions"])

MAX_ID = 2 ** 63 - 1  # SQLite's largest integer; a larger id is a 422, not a crash
RevisionId = Annotated[int, Path(ge=1, le=MAX_ID)]
Kind = Literal["playlist", "schedule"]
State = Literal["draft", "submitted", "approved", "rejected"]

# The answers a state change can give besides success (for the OpenAPI document).
CHANGE_RESPONSES = {
    403: {"description": "The caller's role may not do this, or the caller wrote the "
          "revision and the four-eyes rule is on"},
    404: {"description": "No revision has this id"},
    409: {"description": "The revision's state does not allow this; the message says what does"},
}
# ... and for those that take a JSON body (FastAPI answers 400 to one it cannot decode).
CHANGE_WITH_BODY_RESPONSES = {**CHANGE_RESPONSES,
                              400: {"description": "The body is not readable JSON"}}


class Revision(BaseModel):
    id: int
    kind: Kind
    name: str
    state: State
    live: bool = Field(description="The revision the player follows for this name now")
    author: str
    created_at: str
    submitted_by: str | None
    submitted_at: str | None
    decided_by: str | None
    decided_at: str | None
    reason: str | None = Field(description="Why it was rejected")

    @classmethod
    def of(cls, info: RevisionInfo) -> "Revision":
        data = info.as_dict()
        data.pop("body", None)
        return cls(**data)


class ApprovedRevision(Revision):
    on_screen: dict[str, Any] | None = Field(
        None, description="For a playlist: whether and when it is on the wall (on_screen_now, "
        "next_play, rule, until, in_schedule, says: e.g. 'from 22:00 under rule night' or "
        "'not in the schedule'); approving is not showing")


class RevisionWithBody(Revision):
    body: dict[str, Any] = Field(description="The document as stored")


class Revisions(BaseModel):
    revisions: list[Revision]


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS,
                        description="What the author should change")


class Rollback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revision: int = Field(ge=1, le=MAX_ID, description="An approved revision to make live again")


@router.get("", dependencies=[Depends(require_role("editor", "approver", "technician"))])
def list_revisions(
    revision_store: RevisionsDep,
    kind: Kind | None = None,
    name: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Revisions:
    """Every revision (newest first) with its state and who did what when; filter by
    kind and name."""
    return Revisions(revisions=[Revision.of(r) for r in revision_store.all(kind, name, limit)])


@router.get("/{revision_id}", dependencies=[Depends(require_role("editor", "approver", "technician"))],
            responses={404: CHANGE_RESPONSES[404]})
def get_revision(revision_id: RevisionId, revision_store: RevisionsDep) -> RevisionWithBody:
    """One revision with its document."""
    info = revisions.revision(revision_store, revision_id)
    return RevisionWithBody(**Revision.of(info).model_dump(), body=info.body)


MAX_PREVIEW_AT_S = 86400  # a day: no playlist loop is longer worth looking into


@router.get(
    "/{revision_id}/preview.png",
    dependencies=[Depends(require_role("editor", "approver", "technician"))],
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "The frame, at the panel's size"},
        404: CHANGE_RESPONSES[404],
        422: {"description": "`at` is out of range, or the revision is a schedule (no picture)"},
    },
)
def preview_revision(
    revision_id: RevisionId, revision_store: RevisionsDep, settings: SettingsDep, clock: ClockDep,
    at: Annotated[float, Query(ge=0, le=MAX_PREVIEW_AT_S,
                               description="Seconds into the playlist's timeline")] = 0,
) -> Response:
    """The frame a playlist revision (in any state) would show on the wall `at` seconds
    after it starts: 0 is its first item, past that item's duration the next, and the
    timeline loops. Clocks show the server's time now; the live wall is not touched."""
    # A plain def: rendering is CPU work, so FastAPI runs it in its threadpool.
    info = revisions.revision(revision_store, revision_id)
    if info.kind != "playlist":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"revision {revision_id} is a {info.kind}, which has no picture of its own; "
            f"see what it plays when in its plan (GET /api/schedule/plan?revision={revision_id}, "
            "or `signage schedule --date YYYY-MM-DD` on the box), then preview the playlist "
            "revisions it names",
        )
    # Here, not at the top: pygame only on this path.
    from signage.services.preview import revision_frame_png

    png = revision_frame_png(Playlist.model_validate(info.body), at, clock.now(),
                             size=panel_size(settings.driver), fonts=settings.fonts,
                             assets_dir=settings.assets_dir)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/{revision_id}/submit", dependencies=[Depends(require_role("editor", "approver"))],
             responses=CHANGE_RESPONSES)
def submit_revision(revision_id: RevisionId, caller: PrincipalDep,
                    revision_store: RevisionsDep) -> Revision:
    """Ask for approval of a draft."""
    return Revision.of(revisions.submit(revision_store, caller, revision_id))


@router.post("/{revision_id}/approve", dependencies=[Depends(require_role("approver"))],
             responses=CHANGE_RESPONSES)
def approve_revision(revision_id: RevisionId, caller: PrincipalDep, revision_store: RevisionsDep,
                     content: ContentDep, desired: DesiredDep, settings: SettingsDep,
                     clock: ClockDep) -> ApprovedRevision:
    """Approve a submitted revision: it goes live at once (a playlist also becomes the
    active one). Its author may not approve it unless the site turned four-eyes off.
    For a playlist the answer says whether and when the wall shows it (`on_screen`)."""
    info = revisions.approve(revision_store, settings, caller, revision_id)
    on_screen = (playlist_outlooks(content, desired, settings, clock.now(), [info.name])[info.name]
                 if info.kind == "playlist" else None)
    return ApprovedRevision(**Revision.of(info).model_dump(), on_screen=on_screen)


@router.post("/{revision_id}/reject", dependencies=[Depends(require_role("approver"))],
             responses=CHANGE_WITH_BODY_RESPONSES)
def reject_revision(revision_id: RevisionId, rejection: Rejection, caller: PrincipalDep,
                    revision_store: RevisionsDep) -> Revision:
    """Turn down a submitted revision with a reason its author will see."""
    return Revision.of(revisions.reject(revision_store, caller, revision_id, rejection.reason))
