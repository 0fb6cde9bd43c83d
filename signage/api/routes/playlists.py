"""Playlists: save one from YAML or JSON as a draft; list what is live; roll back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from signage.api.deps import (AssetsDep, ClockDep, ContentDep, DesiredDep, PrincipalDep,
                              RevisionsDep, SettingsDep, require_role)
from signage.api.documents import (DOCUMENT_RESPONSES, REQUEST_BODY_DOC, Upload,
                                    read_document_body, saved_answer)
from signage.api.routes.revisions import CHANGE_WITH_BODY_RESPONSES, Revision, Rollback
from signage.services import revisions
from signage.services.onscreen import playlist_outlooks

router = APIRouter(prefix="/api/playlists", tags=["playlists"])


@router.get("", dependencies=[Depends(require_role("editor", "approver", "technician"))])
def list_playlists(content: ContentDep, desired: DesiredDep, settings: SettingsDep,
                   clock: ClockDep) -> dict[str, Any]:
    """Published playlist names; `active`, the one that plays when there is no schedule
    (or the schedule's default is missing); and per playlist `on_screen`: whether the wall
    shows it now and when the schedule next plays it (`says`, e.g. "from 22:00 under rule
    night" or "not in the schedule")."""
    live = content.live_content()
    return {
        "playlists": content.playlist_names(),
        "active": {"name": live.playlist.name, "revision": live.revision} if live else None,
        "on_screen": playlist_outlooks(content, desired, settings, clock.now()),
    }


@router.put(
    "/{name}",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_role("editor", "approver"))],
    openapi_extra=REQUEST_BODY_DOC,
    responses=DOCUMENT_RESPONSES,
)
def put_playlist(
    name: str,
    upload: Annotated[Upload, Depends(read_document_body)],
    caller: PrincipalDep,
    asset_store: AssetsDep,
    revision_store: RevisionsDep,
    settings: SettingsDep,
) -> Any:
    """Validate and save as a draft revision; nothing changes on screen until it is
    submitted and an approver approves it (POST /api/revisions/{id}/submit, .../approve).

    Warnings (short durations, weak contrast) do not stop the save; they are returned."""
    saved = revisions.save_playlist(asset_store, revision_store, settings, caller, name,
                                    upload.body, upload.as_json)
    return saved_answer(saved)


@router.post("/{name}/rollback", dependencies=[Depends(require_role("approver"))],
             responses=CHANGE_WITH_BODY_RESPONSES)
def rollback_playlist(name: str, rollback: Rollback, caller: PrincipalDep,
                      revision_store: RevisionsDep, content: ContentDep) -> Revision:
    """Make an earlier approved revision of this playlist live again."""
    return Revision.of(revisions.rollback(revision_store, content, caller, "playlist", name,
                                          rollback.revision))
