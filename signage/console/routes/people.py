"""People and API tokens, for admins: list, create, disable or revoke, and confirm what
another admin made (separation of duties). Every change goes through services/people.py, as
/api/users and /api/tokens do; a new token's secret is shown on the answer page only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from signage.console.auth import Visitor, action_for, page_for
from signage.console.forms import refusal_messages, see_other, status_for
from signage.console.localtime import shown, site_zone
from signage.console.views import render
from signage.services import people
from signage.services.errors import Invalid, Refused
from signage.store.access import MIN_PASSWORD_CHARS, ROLES

router = APIRouter(include_in_schema=False)

AdminPage = Annotated[Visitor, Depends(page_for("admin"))]
AdminAction = Annotated[Visitor, Depends(action_for("admin"))]
Name = Annotated[str, Form(max_length=64)]
Role = Annotated[str, Form(max_length=20)]
Password = Annotated[str, Form(max_length=1024)]
DONE = ("user-created", "user-disabled", "user-confirmed", "token-revoked", "token-confirmed")


@router.get("/people")
def people_page(request: Request, who: AdminPage, done: str = "") -> Response:
    return _page(request, who, done=done if done in DONE else "")


def _page(request: Request, who: Visitor, status_code: int = 200, *, done: str = "",
          problems: list | None = None, form: str = "", typed: dict | None = None,
          new_token: dict | None = None) -> Response:
    access = request.app.state.store_slot.get().access
    zone = site_zone(request)
    users = [_row(access, who, "user", info, zone) for info in access.users()]
    tokens = [_row(access, who, "token", info, zone) for info in access.tokens()]
    return render(request, who, "people.html", status_code=status_code, done=done,
                  users=users, tokens=tokens, roles=ROLES, min_password=MIN_PASSWORD_CHARS,
                  problems=problems or [], form=form, typed=typed or {}, new_token=new_token)


def _row(access, who: Visitor, kind: str, info, zone) -> dict[str, Any]:
    """A user or token as the list shows it; a pending one says whether this admin may
    confirm it (the service refuses the maker anyway; the page just does not offer it)."""
    made_here = False
    if info.pending:
        maker, _pending = access.maker(kind, info.name)
        made_here = maker == who.principal.maker_id
    return {"name": info.name, "role": info.role, "created": shown(info.created_at, zone),
            "pending": info.pending, "made_here": made_here,
            "ended": getattr(info, "disabled", False) or getattr(info, "revoked", False),
            "last_used": shown(getattr(info, "last_used_at", None), zone)}


@router.post("/people/users")
def create_user(request: Request, who: AdminAction, name: Name = "", role: Role = "",
                password: Password = "", password_again: Password = "") -> Response:
    typed = {"name": name, "role": role}
    try:
        if password != password_again:
            raise Invalid.field("password_again", "passwords_differ",
                                "the two passwords differ")
        _call(request, people.create_user, who, name.strip(), role, password)
    except Refused as refusal:
        return _refused(request, who, refusal, "user", typed)
    return see_other("/people", done="user-created")


@router.post("/people/users/disable")
def disable_user(request: Request, who: AdminAction, name: Name = "") -> Response:
    return _change(request, who, people.disable_user, "user-disabled", name)


@router.post("/people/users/confirm")
def confirm_user(request: Request, who: AdminAction, name: Name = "") -> Response:
    return _change(request, who, people.confirm, "user-confirmed", "user", name)


@router.post("/people/tokens")
def create_token(request: Request, who: AdminAction, name: Name = "",
                 role: Role = "") -> Response:
    try:
        secret = _call(request, people.create_token, who, name.strip(), role)
    except Refused as refusal:
        return _refused(request, who, refusal, "token", {"name": name, "role": role})
    # The answer page itself shows the secret (never a redirect to a URL holding it); the
    # page is not cached (no-store), so going back does not show it again.
    return _page(request, who, 201, new_token={"name": name.strip(), "role": role,
                                               "secret": secret})


@router.post("/people/tokens/revoke")
def revoke_token(request: Request, who: AdminAction, name: Name = "") -> Response:
    return _change(request, who, people.revoke_token, "token-revoked", name)


@router.post("/people/tokens/confirm")
def confirm_token(request: Request, who: AdminAction, name: Name = "") -> Response:
    return _change(request, who, people.confirm, "token-confirmed", "token", name)


def _call(request: Request, action, who: Visitor, *args: Any) -> Any:
    store = request.app.state.store_slot.get()
    return action(store.access, store.records, who.principal, *args)


def _change(request: Request, who: Visitor, action, done: str, *args: Any) -> Response:
    try:
        _call(request, action, who, *args)
    except Refused as refusal:
        return _refused(request, who, refusal, "list", {})
    return see_other("/people", done=done)


def _refused(request: Request, who: Visitor, refusal: Refused, form: str,
             typed: dict) -> Response:
    return _page(request, who, status_for(refusal), problems=refusal_messages(refusal, who.lang),
                 form=form, typed=typed)
