"""Approvals: what waits for an approver, each draft's filmstrip beside what is live, the
text changes highlighted, approve or reject with a reason the author sees; after an
approval, whether and when the wall shows it, and a way to schedule it.

Approving and rejecting go through services.revisions (the four-eyes rule and the states
are checked there and worded by its codes). Editors open the page too: they see what waits
and the decisions on their own revisions (the reason for a rejection), without the buttons.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from signage.console.auth import Visitor, action_for, page_for
from signage.console.decisions import recent_decisions
from signage.console.filmstrip import frame_size, strip
from signage.console.forms import refusal_messages, see_other
from signage.console.localtime import shown
from signage.console.textdiff import text_changes
from signage.console.views import render
from signage.content.models import Playlist
from signage.services import revisions
from signage.services.errors import Refused
from signage.services.onscreen import playlist_outlooks
from signage.store.revisions import MAX_REASON_CHARS

router = APIRouter(include_in_schema=False)

VIEWERS = ("approver", "editor")
ViewerDep = Annotated[Visitor, Depends(page_for(*VIEWERS))]
ApproverDep = Annotated[Visitor, Depends(action_for("approver"))]  # as the API's approve/reject
RevisionId = Annotated[int, Path(ge=1, le=2 ** 63 - 1)]
# Each waiting revision brings its filmstrips, outlook and text changes: eight keep the page
# near 40 KB and 30 ms on a busy store; the rest show as each is decided.
WAITING_SHOWN = 8


@router.get("/approvals")
def approvals_page(request: Request, who: ViewerDep, done: str = "",
                   revision: int | None = None) -> Response:
    return _page(request, who, done=done, done_revision=revision)


def _page(request: Request, who: Visitor, status_code: int = 200, errors: dict | None = None,
          done: str = "", done_revision: int | None = None, reason: str = "") -> Response:
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    zone = settings.site_timezone
    waiting = [_waiting_entry(store, info, zone)
               for info in store.revisions.all(state="submitted", limit=WAITING_SHOWN)]
    mine = None if who.role == "approver" else who.principal.name
    return render(
        request, who, "approvals.html", status_code=status_code, waiting=waiting,
        waiting_count=store.revisions.count("submitted"),
        decisions=recent_decisions(store.revisions, zone, author=mine),
        may_decide=who.role == "approver", errors=errors or {}, reason=reason,
        done=done, approved=_approved(request, store, done, done_revision),
        frame=frame_size(settings), max_reason=MAX_REASON_CHARS)


def _waiting_entry(store, info, zone: str) -> dict:
    entry = {"info": info, "submitted_at": shown(info.submitted_at, zone),
             "draft_frames": 0, "live": None, "live_frames": 0, "changes": []}
    if info.kind != "playlist":
        return entry
    draft = Playlist.model_validate(store.revisions.get(info.id).body)
    live = store.content.live_playlist(info.name)
    entry.update(draft_frames=draft.item_count(), changes=text_changes(
        live.playlist if live else None, draft))
    if live is not None:
        entry.update(live=live.revision, live_frames=live.playlist.item_count())
    return entry


def _approved(request: Request, store, done: str, revision_id: int | None) -> dict | None:
    """After an approval: the revision and, for a playlist, when the wall shows it."""
    if done != "approved" or revision_id is None:
        return None
    try:
        info = revisions.revision(store.revisions, revision_id, body=False)
    except Refused:
        return None
    if info.kind != "playlist":
        return {"info": info, "outlook": None}
    settings, now = request.app.state.settings, request.app.state.clock.now()
    facts = playlist_outlooks(store.content, store.desired, settings, now, [info.name])[info.name]
    return {"info": info, "outlook": outlook_words(facts, now, settings.site_timezone)}


def outlook_words(facts: dict, now: dt.datetime, zone: str) -> dict:
    """services.onscreen's structured answer as what the template words: `when` is 'now',
    'due' (the schedule's choice now, not shown yet), 'later' (at `time`) or 'never'."""
    if facts["on_screen_now"]:
        return {"when": "now"}
    if facts["next_play"] is None:
        return {"when": "never"}
    start = dt.datetime.fromisoformat(facts["next_play"])
    if start <= now:
        return {"when": "due", "rule": facts["rule"]}
    local = start.astimezone(ZoneInfo(zone))
    same_day = local.date() == now.astimezone(ZoneInfo(zone)).date()
    return {"when": "later", "rule": facts["rule"], "time": f"{local:%H:%M}",
            "day": "" if same_day else f"{local:%d/%m/%Y}"}


@router.get("/approvals/{revision_id}/frames/{index}.png")
async def filmstrip_frame(request: Request, who: ViewerDep, revision_id: RevisionId,
                          index: Annotated[int, Path(ge=1, le=10_000)]) -> Response:
    """Item `index` (from 1) of a playlist revision, small; the revision never changes."""
    frames = await strip(request.app, who.principal.maker_id, revision_id)
    if index > len(frames):
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return Response(frames[index - 1], media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})


@router.post("/approvals/{revision_id}/approve")
def approve(request: Request, who: ApproverDep, revision_id: RevisionId) -> Response:
    store, settings = request.app.state.store_slot.get(), request.app.state.settings
    try:
        revisions.approve(store.revisions, settings, who.principal, revision_id)
    except Refused as exc:
        return _refused(request, who, revision_id, exc)
    return see_other("/approvals", done="approved", revision=str(revision_id))


@router.post("/approvals/{revision_id}/reject")
def reject(request: Request, who: ApproverDep, revision_id: RevisionId,
           reason: Annotated[str, Form(max_length=4 * MAX_REASON_CHARS)] = "") -> Response:
    store = request.app.state.store_slot.get()
    try:
        revisions.reject(store.revisions, who.principal, revision_id, reason)
    except Refused as exc:
        return _refused(request, who, revision_id, exc, reason)
    return see_other("/approvals", done="rejected", revision=str(revision_id))


def _refused(request: Request, who: Visitor, revision_id: int, exc: Refused,
             reason: str = "") -> Response:
    status_code = {"not_found": 404, "conflict": 409, "forbidden": 403}.get(exc.kind, 422)
    return _page(request, who, status_code, {revision_id: refusal_messages(exc, who.lang)},
                 reason=reason)
