"""Playlists: the list with each one's state and place on the wall, and the editor.

The editor's form is rebuilt into the document an import takes (console/playlistform.py)
and saved and submitted through services.revisions, as PUT /api/playlists/{name} and
POST /api/revisions/{id}/submit do; the refusals come back at the fields they concern.
Moving, adding and removing items re-draw the form from what was typed (nothing is saved
until "Save draft"), so they work without JavaScript, by keyboard and by touch.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import functools
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from drivers.registry import panel_size
from signage.console import playlistform as pf
from signage.console.auth import Visitor, action_for, page_for
from signage.console.forms import FieldMessage, refusal_messages, see_other
from signage.console.playlistpreview import PreviewRefused, preview_png
from signage.console.thumbs import thumb_url
from signage.console.views import render
from signage.content.documents import Document
from signage.content.models import ITEM_KINDS, LANGUAGES, SLUG, TRANSITION_KINDS
from signage.content.wording import where
from signage.services import revisions
from signage.services.errors import Refused
from signage.services.onscreen import playlist_outlooks

router = APIRouter(include_in_schema=False)

READERS = ("editor", "approver", "technician")
WRITERS = ("editor", "approver")
ReaderDep = Annotated[Visitor, Depends(page_for(*READERS))]
WriterDep = Annotated[Visitor, Depends(action_for(*WRITERS))]
PreviewerDep = Annotated[Visitor, Depends(action_for(*READERS))]

NEW = "_new"  # not a playlist name: names start with a letter or a digit
_ACTION = re.compile(r"^(save|submit|refresh|library|add|preview|up|down|remove)(?::(\d{1,3}))?$")
# Up to this many files, every picker lists the whole library in the page; past it a picker
# holds its own choice and the script fills it from /playlists/_library.json when opened, so
# twenty items over 500 pictures are not 10,000 options on a 256 kbit/s link.
INLINE_LIBRARY = 40
_NAME = re.compile(SLUG)


@router.get("/playlists")
def playlist_list(request: Request, who: ReaderDep) -> Response:
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    zone = ZoneInfo(settings.site_timezone)
    rows = playlist_rows(store, settings, request.app.state.clock.now(), zone)
    return render(request, who, "playlists.html", rows=rows,
                  can_edit=who.role in WRITERS)


def playlist_rows(store, settings, now: dt.datetime, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Per playlist name, newest work first: its latest revision, the live one, and
    whether and when the wall shows it."""
    latest = store.revisions.latest_per_name("playlist")
    live = store.revisions.live_ids("playlist")
    published = set(store.content.playlist_names())
    outlooks = playlist_outlooks(store.content, store.desired, settings, now,
                                 sorted(published)) if published else {}
    return [{"name": info.name, "latest": info, "live": live.get(info.name),
             "changed": local_time(info.created_at, zone),
             "outlook": _outlook_words(outlooks.get(info.name), now, zone)}
            for info in latest]


def _outlook_words(outlook: dict | None, now: dt.datetime, zone: ZoneInfo) -> dict[str, Any]:
    """What the template words: on now, from when (local) and under which rule, or not."""
    if outlook is None:
        return {"state": "unpublished"}
    if outlook["on_screen_now"]:
        return {"state": "now"}
    if outlook["next_play"] is None:
        return {"state": "unscheduled"}
    start = dt.datetime.fromisoformat(outlook["next_play"]).astimezone(zone)
    due = start <= now
    return {"state": "due" if due else "next", "at": start.strftime("%d/%m/%Y %H:%M"),
            "rule": outlook["rule"]}


def local_time(stamp: str | None, zone: ZoneInfo) -> str:
    """The store's UTC text as dd/mm/yyyy HH:MM in the site's zone."""
    if not stamp:
        return ""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def library_choices(store) -> dict[str, list[dict[str, str]]]:
    """The library's pictures and films as the pickers list them: id, label, thumbnail."""
    choices: dict[str, list[dict[str, str]]] = {"image": [], "film": []}
    for asset in store.assets.all():
        image = asset.media_type.startswith("image/")
        if image or asset.media_type.startswith("video/"):
            name = asset.original_name or asset.ref[7:19]
            choices["image" if image else "film"].append({
                "ref": asset.ref, "label": f"{name} · {asset.width}×{asset.height}",
                "thumb": thumb_url(asset.ref) if image else ""})
    return choices


@router.get("/playlists/_library.json")
def library_json(request: Request, who: ReaderDep) -> Response:
    """What the pickers list when the library is too big to send in the page."""
    return JSONResponse(library_choices(request.app.state.store_slot.get()),
                        headers={"Cache-Control": "no-store"})


@router.get("/playlists/{name}")
def playlist_editor(request: Request, name: str, who: ReaderDep, done: str = "") -> Response:
    store = request.app.state.store_slot.get()
    if name == NEW:
        return _editor(request, who, NEW, pf.new_playlist(), done=done)
    newest = _latest(request, name)
    if newest is None:
        raise HTTPException(404, detail="no such playlist")
    latest = revisions.revision(store.revisions, newest.id)
    return _editor(request, who, name, latest.body or {}, latest=latest, done=done)


@router.post("/playlists/{name}")
async def playlist_action(request: Request, name: str, who: WriterDep) -> Response:
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    return await run_in_threadpool(_act, request, who, name, fields)


def _act(request: Request, who: Visitor, name: str, fields: dict[str, str]) -> Response:
    target = fields.get("name", "").strip() if name == NEW else name
    document = pf.document_from_form(fields, target)
    found = _ACTION.match(fields.get("action", "refresh")) or _ACTION.match("refresh")
    verb, index = found.group(1), int(found.group(2) or 0)
    if verb in ("save", "submit"):
        return _save(request, who, name, target, document, submit=verb == "submit")
    preview = None
    if verb == "up":
        document = pf.item_moved(document, index, -1)
    elif verb == "down":
        document = pf.item_moved(document, index, +1)
    elif verb == "remove":
        document = pf.item_removed(document, index)
    elif verb == "add":
        document = pf.item_added(document, fields.get("new_kind", pf.NEW_ITEM_KIND))
    elif verb == "preview":
        preview = _inline_preview(request, who, document, index)
    return _editor(request, who, name, document, latest=_latest(request, target),
                   preview=preview, preview_index=index if verb == "preview" else None,
                   whole_library=verb == "library")


def _save(request: Request, who: Visitor, name: str, target: str, document: dict,
          submit: bool) -> Response:
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    try:
        saved = revisions.save_playlist(store.assets, store.revisions, settings, who.principal,
                                        target, Document(document, {}))
        if submit:
            revisions.submit(store.revisions, who.principal, saved.revision)
    except Refused as refusal:
        return _editor(request, who, name, document, latest=_latest(request, target),
                       messages=refusal_messages(refusal, who.lang), status_code=422)
    done = "submitted" if submit else "saved"
    if saved.warnings:
        # Saved, with things worth a look: shown at their fields rather than lost in a redirect.
        messages = [FieldMessage(w.path, where(w.path, who.lang), w.say(who.lang), True)
                    for w in saved.warnings]
        return _editor(request, who, target, document, latest=_latest(request, target),
                       messages=messages, done=done)
    return see_other(f"/playlists/{target}", done=done)


def _latest(request: Request, name: str):
    if not _NAME.match(name or ""):
        return None
    found = request.app.state.store_slot.get().revisions.all("playlist", name, 1)
    return found[0] if found else None


def _inline_preview(request: Request, who: Visitor, document: dict, index: int) -> dict:
    """The no-JS preview: the picture inline (a data: URL), or why there is none."""
    app = request.app
    try:
        png = app.state.previews.submit(
            who.principal.maker_id, functools.partial(
                preview_png, app.state.store_slot.get(), app.state.settings, app.state.clock,
                document, index, 0.0, who.lang)).result()
    except PreviewRefused as refused:
        return {"words": refused.words}
    except Refused as refusal:
        return {"words": [m.words for m in refusal_messages(refusal, who.lang)]}
    return {"src": "data:image/png;base64," + base64.b64encode(png).decode()}


@router.post("/playlists/{name}/preview.png")
async def playlist_preview(request: Request, name: str, who: PreviewerDep,
                           item: int | None = None, at: float = 0.0) -> Response:
    """The frame of item `item` (or of the whole draft `at` seconds in) as typed in the
    form sent, at the panel's size; on the preview queue, as the API's previews."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    document = pf.document_from_form(fields, name)
    app = request.app
    job = functools.partial(preview_png, app.state.store_slot.get(), app.state.settings,
                            app.state.clock, document, item, max(0.0, min(at, 86400.0)),
                            who.lang)
    try:
        png = await asyncio.wrap_future(app.state.previews.submit(who.principal.maker_id, job))
    except PreviewRefused as refused:
        return JSONResponse({"messages": refused.words}, status_code=422)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


def _editor(request: Request, who: Visitor, name: str, document: dict, *, latest=None,
            messages: list[FieldMessage] = (), preview: dict | None = None,
            preview_index: int | None = None, done: str = "", status_code: int = 200,
            whole_library: bool = False):
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    library = library_choices(store)
    labels = {entry["ref"]: entry for kind in library.values() for entry in kind}
    by_field: dict[str, list[FieldMessage]] = {}
    for message in messages:
        by_field.setdefault(message.field, []).append(message)
    width, height = panel_size(settings.driver)
    return render(
        request, who, "playlist_edit.html", status_code=status_code, name=name, is_new=name == NEW,
        document=document, items=document.get("items") or [], has_layout="layout" in document,
        latest=latest, messages=list(messages), by_field=by_field, done=done,
        can_edit=who.role in WRITERS, kinds=ITEM_KINDS, languages=LANGUAGES,
        transitions=TRANSITION_KINDS,
        images=library["image"], films=library["film"], labels=labels,
        whole_library=whole_library or len(labels) <= INLINE_LIBRARY,
        panel=(width, height), preview=preview, preview_index=preview_index,
        value_at=pf.value_at, field_id=pf.field_id, kept_json=pf.kept_json,
        changed=local_time(latest.created_at, ZoneInfo(settings.site_timezone)) if latest else "")
