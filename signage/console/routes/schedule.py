"""The schedule page: the week as a table, the rules editor, and play now until.

A rule added, changed or removed becomes a submitted schedule revision through
services.schedule_rules (the same checks as PUT /api/schedule); it is live once another
approver approves it. Play now until is services.playnow, as PUT /api/schedule/play-now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from signage.console.auth import Visitor, action_for, page_for
from signage.console.localtime import form_value, from_form, shown, site_zone
from signage.console.forms import FieldMessage, refusal_messages, see_other
from signage.console.i18n import gettext_for
from signage.console.views import render
from signage.console.weekgrid import cached_week_grid
from signage.schedule.rules import WEEKDAYS, Schedule
from signage.services import playnow, schedule_rules
from signage.services.errors import Refused

router = APIRouter(include_in_schema=False)

ViewerDep = Annotated[Visitor, Depends(page_for("editor", "approver", "technician"))]
EditorDep = Annotated[Visitor, Depends(action_for("editor", "approver"))]
ApproverDep = Annotated[Visitor, Depends(action_for("approver"))]
PLAY_NOW_DEFAULT = dt.timedelta(hours=2)
SHORT = Annotated[str, Form(max_length=200)]


@dataclasses.dataclass
class RuleForm:
    """The rules editor's fields, as typed (shown again with the problems if refused)."""

    replacing: str = ""
    name: str = ""
    playlist: str = ""
    weekdays: tuple[str, ...] = ()
    time_from: str = ""
    time_to: str = ""
    date_from: str = ""
    date_to: str = ""
    cron: str = ""
    every: str = ""  # the rule's `for`
    priority: str = "0"
    default: str = ""

    @classmethod
    def of_rule(cls, rule: dict[str, Any]) -> "RuleForm":
        time = rule.get("time", "-").split("-")
        dates = rule.get("dates") or {}
        return cls(replacing=rule["name"], name=rule["name"], playlist=rule["playlist"],
                   weekdays=tuple(rule.get("weekdays") or ()), time_from=time[0],
                   time_to=time[1], date_from=str(dates.get("from", "")),
                   date_to=str(dates.get("to", "")), cron=rule.get("cron", ""),
                   every=str(rule.get("for", "")), priority=str(rule.get("priority", 0)))

    def as_rule(self) -> dict[str, Any]:
        """The rule document; the schedule's model checks it (and names the field)."""
        rule: dict[str, Any] = {"name": self.name.strip(), "playlist": self.playlist.strip()}
        if self.weekdays:
            rule["weekdays"] = list(self.weekdays)
        if self.time_from or self.time_to:
            rule["time"] = f"{self.time_from}-{self.time_to}"
        if self.date_from or self.date_to:
            rule["dates"] = {key: value for key, value in
                             (("from", self.date_from), ("to", self.date_to)) if value}
        if self.cron.strip():
            rule["cron"] = self.cron.strip()
        if self.every.strip():
            rule["for"] = self.every.strip()
        priority = self.priority.strip()
        rule["priority"] = int(priority) if priority.lstrip("-").isdigit() else priority
        return rule


@router.get("/schedule")
def schedule_page(request: Request, who: ViewerDep, week: str = "", playlist: str = "",
                  edit: str = "", done: str = "", revision: str = "") -> Response:
    form = None
    if edit:
        rule = _live_rule(request, edit)
        form = RuleForm.of_rule(rule) if rule else None
    form = form or RuleForm(playlist=playlist)
    return _page(request, who, form=form, week=week, chosen=playlist, done=done,
                 revision=revision)


@router.post("/schedule/rules")
def save_rule(request: Request, who: EditorDep, base: SHORT = "", replacing: SHORT = "",
              name: SHORT = "", playlist: SHORT = "",
              weekdays: Annotated[list[str], Form(max_length=7)] = [],  # noqa: B006
              time_from: SHORT = "", time_to: SHORT = "", date_from: SHORT = "",
              date_to: SHORT = "", cron: SHORT = "", every: SHORT = "", priority: SHORT = "0",
              default: SHORT = "") -> Response:
    form = RuleForm(replacing, name, playlist, tuple(d for d in WEEKDAYS if d in weekdays),
                    time_from, time_to, date_from, date_to, cron, every, priority, default)
    store = request.app.state.store_slot.get()
    try:
        saved = schedule_rules.put_rule(store.content, store.revisions, who.principal,
                                        form.as_rule(), replacing=replacing or None,
                                        base_revision=_revision_number(base),
                                        default=default or None)
    except Refused as exc:
        return _page(request, who, form=form, status_code=422,
                     rule_problems=refusal_messages(exc, who.lang))
    return see_other("/schedule", done="rule_submitted", revision=str(saved.revision))


@router.post("/schedule/rules/remove")
def remove_rule(request: Request, who: EditorDep, name: SHORT = "",
                base: SHORT = "") -> Response:
    store = request.app.state.store_slot.get()
    try:
        saved = schedule_rules.remove_rule(store.content, store.revisions, who.principal, name,
                                           base_revision=_revision_number(base))
    except Refused as exc:
        return _page(request, who, status_code=409,
                     rule_problems=refusal_messages(exc, who.lang))
    return see_other("/schedule", done="rule_removed", revision=str(saved.revision))


@router.post("/schedule/play-now")
def play_now(request: Request, who: ApproverDep, playlist: SHORT = "",
             until: SHORT = "") -> Response:
    app, zone = request.app, site_zone(request)
    store = app.state.store_slot.get()
    end = from_form(until, zone)
    if end is None:
        _ = gettext_for(who.lang)
        words = _("Give the end as a date and a time of day.")
        return _page(request, who, status_code=422, chosen=playlist, until=until,
                     play_problems=[FieldMessage("until", "", words)])
    try:
        playnow.play_now_until(store.content, store.desired, app.state.clock, who.principal,
                               playlist, until=end)
    except Refused as exc:
        return _page(request, who, status_code=422, chosen=playlist, until=until,
                     play_problems=refusal_messages(exc, who.lang))
    return see_other("/schedule", done="play_now")


@router.post("/schedule/play-now/cancel")
def cancel_play_now(request: Request, who: ApproverDep) -> Response:
    store = request.app.state.store_slot.get()
    was = playnow.stop_play_now(store.desired, who.principal)
    return see_other("/schedule", done="play_now_ended" if was else "play_now_none")


# --- the page -----------------------------------------------------------------------------


def _page(request: Request, who: Visitor, *, form: RuleForm | None = None, week: str = "",
          chosen: str = "", until: str = "", done: str = "", revision: str = "",
          status_code: int = 200, rule_problems: list[FieldMessage] | None = None,
          play_problems: list[FieldMessage] | None = None) -> Response:
    app, zone = request.app, site_zone(request)
    store = app.state.store_slot.get()
    now = app.state.clock.now()
    live_revision, document = schedule_rules.live_document(store.content)
    published = sorted(store.content.playlist_names())
    schedule = Schedule.model_validate(document) if document else None
    grid = None
    if schedule is not None:
        first_day = _week_start(week) or now.astimezone(schedule.zone).date()
        grid = cached_week_grid(schedule, first_day, set(published))
    current = store.desired.play_now(active_at=now)
    return render(
        request, who, "schedule.html", status_code=status_code, grid=grid,
        schedule=document, live_revision=live_revision, published=published,
        pending=_pending(store.revisions, live_revision),
        form=form or RuleForm(playlist=chosen), weekdays=WEEKDAYS,
        rule_problems=rule_problems or [], play_problems=play_problems or [],
        play_now=current, play_now_until=shown(current.expires_at, zone) if current else "",
        chosen=chosen, until=until or form_value(_round_up(now + PLAY_NOW_DEFAULT), zone),
        now_value=form_value(now, zone), done=done, revision=revision,
        can_edit=who.role in ("editor", "approver"), can_play=who.role == "approver",
        week_links=_week_links(grid), day_text=_day_text)


def _live_rule(request: Request, name: str) -> dict[str, Any] | None:
    _revision, document = schedule_rules.live_document(request.app.state.store_slot.get().content)
    rules = (document or {}).get("rules", [])
    return next((rule for rule in rules if rule["name"] == name), None)


def _pending(revision_store, live_revision: int | None) -> list:
    """Schedule revisions newer than the live one and not decided: waiting for someone."""
    return [info for info in revision_store.all(kind="schedule", limit=20)
            if info.state in ("draft", "submitted") and info.id > (live_revision or 0)]


def _week_start(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _week_links(grid) -> dict[str, str]:
    if grid is None:
        return {}
    first = grid.days[0]
    return {"earlier": (first - dt.timedelta(days=7)).isoformat(),
            "later": (first + dt.timedelta(days=7)).isoformat()}


def _day_text(iso: str) -> str:
    """'2027-02-04' -> '04/02/2027', as staff write dates."""
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def _round_up(moment: dt.datetime, minutes: int = 15) -> dt.datetime:
    """The next quarter hour: an end time people would pick."""
    extra = -moment.minute % minutes
    return (moment + dt.timedelta(minutes=extra)).replace(second=0, microsecond=0)


def _revision_number(text: str) -> int | None:
    return int(text) if text.isdigit() else None
