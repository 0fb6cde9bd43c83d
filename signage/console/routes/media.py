"""The media library: upload images and films (file picker, phone camera, drag and drop),
see each file's thumbnail, where it is used and a film's transcode, delete an unused one.

Uploads go through the same door as POST /api/assets (api.routes.assets.receive_and_store:
the same caps, the same checks by content, the same film transcode job). The upload form
is multipart with the file, so its CSRF token travels as a small field beside the file (or
as the X-CSRF-Token header from media.js) and is checked before anything is stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from signage.api.routes.assets import (UploadTooLarge, max_film_bytes, max_upload_bytes,
                                       receive_and_store, upload_asset)
from signage.console.auth import (CSRF_FIELD, CSRF_HEADER, CrossSiteRefused, Visitor, action_for,
                                  check_origin, check_token, page_for)
from signage.console.forms import FieldMessage, refusal_messages, see_other
from signage.console.i18n import gettext_for
from signage.console.localtime import shown
from signage.console.thumbs import forget, thumbnail_png
from signage.console.views import render
from signage.errors import StoreError, StoreFull
from signage.services import assets as asset_service
from signage.services.errors import Refused

router = APIRouter(include_in_schema=False)

READERS = ("editor", "approver", "technician")  # as GET /api/assets
CHANGERS = ("editor", "approver")  # as POST and DELETE /api/assets
ReaderDep = Annotated[Visitor, Depends(page_for(*READERS))]
ChangerDep = Annotated[Visitor, Depends(page_for(*CHANGERS))]
ActionDep = Annotated[Visitor, Depends(action_for(*CHANGERS))]
MB = 1024 * 1024
# A page of the library stays light on a slow link (the first load's budget is 150 KB).
PER_PAGE = 40


@router.get("/media")
def media_page(request: Request, who: ReaderDep, done: str = "", id: str = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    return _page(request, who, done=done, done_id=id, page=page)


def _page(request: Request, who: Visitor, status_code: int = 200,
          upload_errors: list[FieldMessage] | None = None, delete_errors: dict | None = None,
          done: str = "", done_id: str = "", page: int = 1) -> Response:
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    records = store.assets.all()
    pages = max(1, -(-len(records) // PER_PAGE))
    page = min(page, pages)
    shown = records[(page - 1) * PER_PAGE:page * PER_PAGE]
    return render(request, who, "media.html", status_code=status_code,
                  entries=library_entries(store, shown, settings.site_timezone),
                  total=len(records), page=page, pages=pages,
                  may_change=who.role in CHANGERS, upload_errors=upload_errors or [],
                  delete_errors=delete_errors or {}, done=done, done_id=done_id,
                  image_max=max_upload_bytes(settings), film_max=max_film_bytes(settings),
                  image_mb=f"{max_upload_bytes(settings) / MB:g}",
                  film_mb=f"{max_film_bytes(settings) / MB:g}",
                  too_big_image=_too_big_words(False, max_upload_bytes(settings), who.lang),
                  too_big_film=_too_big_words(True, max_film_bytes(settings), who.lang))


def library_entries(store, records, zone: str) -> list[dict]:
    """The files `records` (AssetRecords) with the revisions that hold each and, for a film,
    its transcode job (one query for every use, one per film shown)."""
    uses = store.assets.uses()
    entries = []
    for record in records:
        film = record.media_type.startswith("video/")
        job = store.jobs.latest(record.ref) if film else None
        entries.append({
            "ref": record.ref, "digest": record.ref.removeprefix("sha256:"),
            "name": record.original_name or record.ref[:19], "media_type": record.media_type,
            "film": film, "width": record.width, "height": record.height,
            "kb": max(1, round(record.bytes / 1024)), "added": shown(record.created_at, zone),
            "uses": uses.get(record.ref, []), "job": job.as_dict() if job else None,
        })
    return entries


@router.post("/media")
async def upload(request: Request, who: ChangerDep) -> Response:
    """One file from the form (or from media.js), stored by the upload service."""
    check_origin(request)
    sent_header = request.headers.get(CSRF_HEADER)
    if sent_header is not None:  # media.js; the plain form sends it beside the file
        check_token(sent_header, who.csrf)
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    try:
        stored = await receive_and_store(
            request, who.principal, store.assets, store.records, store.jobs, settings,
            accept_fields=lambda fields: sent_header is not None
            or check_token(fields.get(CSRF_FIELD), who.csrf))
    except CrossSiteRefused:
        raise
    except (Refused, HTTPException, StoreError) as exc:
        return await _upload_refused(request, who, _upload_words(exc, settings, who.lang),
                                     _status_of(exc))
    target = f"/media?done=uploaded&id={stored.id.removeprefix('sha256:')}"
    if _wants_json(request):
        return JSONResponse({"redirect": target}, headers={"Cache-Control": "no-store"})
    return see_other(target)


# The app-wide body limit lets an upload through as far as POST /api/assets allows; the
# caps for each kind are applied while the body streams in.
upload.body_limit = upload_asset.body_limit  # type: ignore[attr-defined]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _upload_refused(request: Request, who: Visitor, errors: list[FieldMessage],
                          status_code: int) -> Response:
    if _wants_json(request):
        return JSONResponse({"errors": [error.words for error in errors]},
                            status_code=status_code, headers={"Cache-Control": "no-store"})
    return await run_in_threadpool(_page, request, who, status_code, errors)


def _status_of(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, StoreError):
        return 507 if isinstance(exc, StoreFull) else 503
    return {"busy": 429, "invalid": 422}.get(getattr(exc, "kind", ""), 409)


def _upload_words(exc: Exception, settings, lang: str) -> list[FieldMessage]:
    """Why the upload was refused, in the visitor's words, at the file input."""
    _ = gettext_for(lang)
    if isinstance(exc, Refused):
        return refusal_messages(exc, lang)
    if isinstance(exc, UploadTooLarge):
        return [FieldMessage("file", "", _too_big_words(exc.film, exc.limit, lang))]
    if isinstance(exc, StoreFull):
        return [FieldMessage("file", "", _("The box's disk is full, so the file was not stored. "
                                           "Delete files nobody uses, or ask a technician."))]
    if isinstance(exc, StoreError):
        return [FieldMessage("file", "", _("The store cannot take the file now. Try again in a "
                                           "minute; if it goes on, tell a technician."))]
    return [FieldMessage("file", "", _("Choose one image or film file and send the form again."))]


def _too_big_words(film: bool, limit: int, lang: str) -> str:
    """The refusal of a file over its cap; media.js says it before sending one (a slow
    link should not carry 600 MB only to hear this), the server when it arrives."""
    _ = gettext_for(lang)
    words = (_("The film is larger than %(mb)s MB, the limit for films. Export it shorter "
               "or with a lower bitrate.") if film else
             _("The image is larger than %(mb)s MB, the limit for images. Scale it down or "
               "save it with more compression."))
    return words % {"mb": f"{limit / MB:g}"}


@router.post("/media/{digest}/delete")
def delete(request: Request, who: ActionDep, digest: str,
           page: Annotated[int, Form(ge=1, le=100_000)] = 1) -> Response:
    """Delete a file nothing live or waiting uses; otherwise say where it is used (on the
    page of the library the button was on)."""
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    try:
        asset_service.delete_asset(store.assets, store.records, who.principal, digest)
    except Refused as exc:
        words = [message.words for message in refusal_messages(exc, who.lang)]
        return _page(request, who, 404 if exc.kind == "not_found" else 409,
                     delete_errors={digest: words}, page=page)
    forget(settings.data_dir, digest)
    return see_other("/media", done="deleted", page=str(page))


@router.get("/media/{digest}/thumb")
def thumbnail(request: Request, who: ReaderDep, digest: str) -> Response:
    """A small PNG of the file (a film's first frame); the id names the bytes, so it
    never changes and the browser may keep it."""
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    record = store.assets.get(f"sha256:{digest}")
    png = record and thumbnail_png(settings.data_dir, settings.assets_dir, record.ref,
                                   record.media_type)
    if not png:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return Response(png, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=604800, immutable"})
