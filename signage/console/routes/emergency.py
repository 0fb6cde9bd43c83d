"""The emergency page: the notice on the wall (with a countdown) and, for approvers, one
form with ready templates, a preview at the panel's size, a confirmation and cancel.

Posting and cancelling are services.emergency, as POST and DELETE /api/emergency; the
preview is the player's own emergency card drawn by services.preview.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from drivers.registry import panel_size
from signage.console.auth import Visitor, action_for, page_for
from signage.console.localtime import shown, site_zone
from signage.console.emergency_templates import TemplateFileError, load_templates
from signage.console.forms import FieldMessage, refusal_messages, see_other
from signage.console.i18n import gettext_for
from signage.console.views import render
from signage.content.documents import DocumentError, as_document, validate_emergency
from signage.content.models import Message
from signage.services import emergency as emergencies
from signage.services.errors import Refused

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

ViewerDep = Annotated[Visitor, Depends(page_for("approver", "technician", "editor"))]
ApproverPageDep = Annotated[Visitor, Depends(page_for("approver"))]
ApproverDep = Annotated[Visitor, Depends(action_for("approver"))]
TEXT = Annotated[str, Form(max_length=2000)]
SHORT = Annotated[str, Form(max_length=40)]
DURATIONS = ("10m", "30m", "1h", "2h", "4h", "8h", "1d")
_MAX_ID = 2 ** 63 - 1


@dataclasses.dataclass(frozen=True)
class NoticeForm:
    vi: str = ""
    en: str = ""
    zh: str = ""
    duration: str = "1h"
    template: str = ""

    def document(self) -> str:
        """The notice as the API takes it (JSON), so the same checks read it."""
        return json.dumps({"text": {"vi": self.vi, "en": self.en, "zh": self.zh},
                           "duration": self.duration.strip()}, ensure_ascii=False)

    @property
    def has_text(self) -> bool:
        return bool(self.vi.strip() or self.en.strip() or self.zh.strip())


@router.get("/emergency")
def emergency_page(request: Request, who: ViewerDep, template: str = "",
                   done: str = "") -> Response:
    form = NoticeForm()
    chosen = _templates()[0].get(template)
    if chosen is not None:
        form = NoticeForm(chosen.text.vi, chosen.text.en, chosen.text.zh, chosen.duration,
                          chosen.key)
    return _page(request, who, form, done=done)


@router.post("/emergency")
def post_emergency(request: Request, who: ApproverDep, vi: TEXT = "", en: TEXT = "",
                   zh: TEXT = "", duration: SHORT = "", template: SHORT = "",
                   confirm: SHORT = "", action: SHORT = "preview") -> Response:
    form = NoticeForm(vi, en, zh, duration, template)
    app = request.app
    if action != "post":  # "preview": check it and draw it, nothing goes on the wall
        return _page(request, who, form, problems=_problems(form, app.state.clock.now(),
                                                            who.lang), previewed=True)
    if confirm != "yes":
        _ = gettext_for(who.lang)
        words = _("Tick “I confirm this goes on the wall now” to post the notice. Nothing "
                  "was posted.")
        return _page(request, who, form, status_code=422, previewed=True,
                     problems=[FieldMessage("confirm", "", words)])
    store = app.state.store_slot.get()
    try:
        emergencies.post_emergency(store.desired, app.state.clock, who.principal,
                                   form.document(), as_json=True)
    except Refused as exc:
        return _page(request, who, form, status_code=422, previewed=True,
                     problems=refusal_messages(exc, who.lang))
    return see_other("/emergency", done="posted")


@router.post("/emergency/{emergency_id}/cancel")
def cancel_emergency(request: Request, who: ApproverDep,
                     emergency_id: Annotated[int, Path(ge=1, le=_MAX_ID)]) -> Response:
    store = request.app.state.store_slot.get()
    try:
        emergencies.cancel_emergency(store.desired, who.principal, emergency_id)
    except Refused as exc:
        return _page(request, who, NoticeForm(), status_code=404,
                     problems=refusal_messages(exc, who.lang))
    return see_other("/emergency", done="cancelled")


@router.get("/emergency/preview.png")
async def preview(request: Request, who: ApproverPageDep, vi: str = "", en: str = "",
                  zh: str = "") -> Response:
    """The notice as the wall would show it, at the panel's size; 422 if the text could
    not be posted. Drawn on the preview queue's thread, as revision previews are."""
    try:
        message = Message.model_validate({"vi": vi, "en": en, "zh": zh})
    except ValueError:
        return Response(status_code=422, headers={"Cache-Control": "no-store"})
    app = request.app
    job = functools.partial(_preview_png, app.state.settings, message, app.state.clock.now())
    png = await asyncio.wrap_future(app.state.previews.submit(who.principal.maker_id, job))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


def _preview_png(settings, message: Message, now) -> bytes:
    # Here, not at the top: pygame only on this path (as the API's revision preview).
    from signage.services.preview import emergency_frame_png

    return emergency_frame_png(message, now, size=panel_size(settings.driver),
                               fonts=settings.fonts)


def _problems(form: NoticeForm, now, lang: str) -> list[FieldMessage]:
    """What posting would refuse, without posting: the same check the service makes."""
    try:
        validate_emergency(as_document(form.document(), True), now)
    except DocumentError as exc:
        return [FieldMessage(p.path, "", p.say(lang), p.warning) for p in exc.problems]
    return []


def _page(request: Request, who: Visitor, form: NoticeForm, *, done: str = "",
          status_code: int = 200, problems: list[FieldMessage] | None = None,
          previewed: bool = False) -> Response:
    app, zone = request.app, site_zone(request)
    now = app.state.clock.now()
    store = app.state.store_slot.get()
    showing = emergencies.showing_id(store.desired, now)
    notices = [_notice_facts(e, now, zone, showing)
               for e in store.desired.emergencies(current_at=now)]
    problems = problems or []
    width, height = panel_size(app.state.settings.driver)
    templates, broken = _templates()
    return render(request, who, "emergency.html", status_code=status_code, notices=notices,
                  form=form, templates=list(templates.values()), broken_templates=broken,
                  problems=problems,
                  preview=previewed or bool(form.template), show_preview=form.has_text and
                  not any(p.field.startswith("text") for p in problems),
                  can_post=who.role == "approver", durations=DURATIONS, done=done,
                  panel=f"{width}×{height}")


def _templates() -> tuple[dict, str]:
    """The ready texts, and why there are none if the file is broken: in an emergency the
    page must work without them (the texts can be typed)."""
    try:
        return load_templates(), ""
    except TemplateFileError as exc:
        log.error("emergency templates unusable: %s", exc)
        return {}, str(exc)


def _notice_facts(emergency, now, zone, showing: int | None) -> dict:
    remaining = max(0, int((emergency.expires_at - now).total_seconds()))
    return {"id": emergency.id, "text": emergency.message, "on_air": emergency.id == showing,
            "active": emergency.active(now), "starts": shown(emergency.starts_at, zone),
            "ends": shown(emergency.expires_at, zone),
            "ends_iso": emergency.expires_at.astimezone(zone).isoformat(),
            "remaining_s": remaining, "remaining": _hms(remaining),
            "by": emergency.created_by}


def _hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
