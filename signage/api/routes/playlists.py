"""Playlists: save one from YAML or JSON as a draft; list what is live; roll back."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse

from drivers.registry import panel_size
from signage.api.deps import PrincipalDep, SettingsDep, StoreDep, require_role
from signage.api.documents import (DOCUMENT_RESPONSES, REQUEST_BODY_DOC, Upload, parse_upload,
                                    read_document_body, rejected)
from signage.api.routes.revisions import (CHANGE_WITH_BODY_RESPONSES, Revision, Rollback,
                                          roll_back)
from signage.render.checks import Limits, check_playlist, fonts_for
from signage.content.documents import Document, DocumentError, Problem, validate_document
from signage.errors import AssetMissing
from signage.services.importer import asset_problems
from signage.content.models import Playlist, format_path
from signage.settings import Settings
from signage.store.database import Store

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/playlists", tags=["playlists"])


@router.get("", dependencies=[Depends(require_role("editor", "approver", "technician"))])
def list_playlists(store: StoreDep) -> dict[str, Any]:
    """Published playlist names, and which one is live at which revision."""
    live = store.live_content()
    return {
        "playlists": store.playlist_names(),
        "active": {"name": live.playlist.name, "revision": live.revision} if live else None,
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
    store: StoreDep,
    settings: SettingsDep,
) -> Any:
    """Validate and save as a draft revision; nothing changes on screen until it is
    submitted and an approver approves it (POST /api/revisions/{id}/submit, .../approve).

    Warnings (short durations, weak contrast) do not stop the save; they are returned."""
    try:
        playlist, doc, warnings = _checked_playlist(upload, name, store, settings)
    except DocumentError as exc:
        return _refused(name, exc.problems)
    try:
        revision = store.save_draft("playlist", playlist, caller.name, role=caller.role)
    except AssetMissing as exc:  # removed between our check and the save
        path = _asset_path(playlist, exc)
        return _refused(name, [Problem(format_path(path), str(exc), doc.line_of(path))])
    log.info("playlist %s saved as draft revision %d by %s", name, revision, caller.name)
    return {"name": name, "revision": revision, "state": "draft",
            "warnings": [w.as_dict() for w in warnings]}


@router.post("/{name}/rollback", dependencies=[Depends(require_role("approver"))],
             responses=CHANGE_WITH_BODY_RESPONSES)
def rollback_playlist(name: str, rollback: Rollback, caller: PrincipalDep,
                      store: StoreDep) -> Revision:
    """Make an earlier approved revision of this playlist live again."""
    return roll_back(store, "playlist", name, rollback.revision, caller)


def _checked_playlist(upload: Upload, name: str, store: Store,
                      settings: Settings) -> tuple[Playlist, Document, list[Problem]]:
    """The playlist to publish and its warnings, or DocumentError listing every problem."""
    doc, problems = _named(parse_upload(upload), name)
    try:
        playlist = validate_document(doc, Playlist)
    except DocumentError as exc:
        raise DocumentError(problems + exc.problems) from None
    problems += asset_problems(doc, playlist, store)[1]
    found = check_playlist(
        playlist, fonts_for(settings), panel_size(settings.driver), document=doc,
        limits=Limits.from_settings(settings),
        asset_file=lambda ref: store.asset_path(ref) if store.has_asset(ref) else None,
    )
    problems += found.errors
    if problems:
        raise DocumentError(problems)
    return playlist, doc, found.warnings


def _named(doc: Document, name: str) -> tuple[Document, list[Problem]]:
    """The document with the URL's name filled in, and a problem if it names another."""
    if not isinstance(doc.data, dict):
        return doc, []  # validation says the document must be a mapping
    given = doc.data.get("name", name)
    problems = []
    if given != name:
        problems.append(Problem(
            "name", f"is {given!r} but the URL names {name!r}; make them the same or leave "
            "name out", doc.line_of(("name",)),
        ))
    return Document({**doc.data, "name": name}, doc.lines), problems


def _asset_path(playlist: Playlist, exc: AssetMissing) -> tuple:
    for path, ref in playlist.asset_fields():
        if ref == exc.ref:
            return path
    return ("items",)


def _refused(name: str, problems: list[Problem]) -> JSONResponse:
    count = len(problems)
    return rejected(problems, f"playlist {name!r} was not saved ({count} problem"
                    f"{'s' if count != 1 else ''}); nothing was changed")
