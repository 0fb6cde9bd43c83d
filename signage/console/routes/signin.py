"""Signing in and out, and choosing the console's language."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from signage.api.routes.auth import attempt_login, client_address
from signage.console.auth import (LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE_S, SESSION_COOKIE,
                                  SIGNIN_COOKIE, CrossSiteRefused, Visitor, VisitorDep, check_form,
                                  cookie_flags, new_signin_nonce, safe_next, same_origin,
                                  visitor)
from signage.console.i18n import pick_language
from signage.console.views import render

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

# Public: these are how a person gets a session, so they cannot need one.
PUBLIC_PATHS = frozenset({"/signin", "/signout", "/language"})


@router.get("/signin")
def signin_page(request: Request, who: VisitorDep, next: str = "/", expired: bool = False) -> Response:
    if who.principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _signin_form(request, who, safe_next(next), notice="expired" if expired else None)


def _signin_form(request: Request, who, next_path: str, notice: str | None = None,
                 name: str = "", status_code: int = 200, wait_s: int | None = None) -> Response:
    nonce = new_signin_nonce()
    response = render(request, who, "signin.html", status_code=status_code, nonce=nonce,
                      next_path=next_path, notice=notice, name=name, wait_s=wait_s)
    response.set_cookie(SIGNIN_COOKIE, nonce, max_age=3600, **cookie_flags(request))
    return response


@router.post("/signin")
def sign_in(request: Request, who: VisitorDep, name: Annotated[str, Form(max_length=64)] = "",
            password: Annotated[str, Form(max_length=1024)] = "",
            csrf: Annotated[str, Form(max_length=128)] = "",
            next: Annotated[str, Form(max_length=2048)] = "/") -> Response:
    nonce = request.cookies.get(SIGNIN_COOKIE, "")
    if not same_origin(request) or not nonce or not hmac.compare_digest(csrf, nonce):
        raise CrossSiteRefused("Biểu mẫu đăng nhập đã cũ hoặc đến từ trang khác; hãy tải lại "
                               "trang đăng nhập. / The sign-in form is stale or came from "
                               "another site; reload the sign-in page.")
    next_path = safe_next(next)
    if not name.strip() or not password:
        return _signin_form(request, who, next_path, "missing", name, 422)
    app = request.app
    outcome = attempt_login(app.state.store_slot.get().access, app.state.failed_logins,
                            app.state.clock, client_address(request), name.strip(), password)
    if outcome.wait_s is not None:
        return _signin_form(request, who, next_path, "throttled", name, 429, outcome.wait_s)
    if outcome.token is None:
        return _signin_form(request, who, next_path, "wrong", name, 401)
    response = RedirectResponse(next_path, status_code=303)
    max_age = int((outcome.expires_at - app.state.clock.now()).total_seconds())
    response.set_cookie(SESSION_COOKIE, outcome.token, max_age=max_age, **cookie_flags(request))
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    """End the session in the store (the cookie alone would outlive a copied token)."""
    who = await _visitor_in_pool(request)
    if who.principal is not None:
        await check_form(request, who.csrf)
        store = request.app.state.store_slot.get()
        await run_in_threadpool(store.access.logout, who.session)
        log.info("%s signed out of the console", who.principal.name)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _visitor_in_pool(request: Request) -> Visitor:
    return await run_in_threadpool(visitor, request)


@router.post("/language")
async def choose_language(request: Request, lang: Annotated[str, Form(max_length=8)] = "vi",
                          back: Annotated[str, Form(max_length=2048)] = "/") -> Response:
    """Switch the console's language; kept in a cookie, so it holds before signing in."""
    if not same_origin(request):
        raise CrossSiteRefused("Yêu cầu đến từ trang khác nên bị từ chối. / The request came "
                               "from another site and is refused.")
    response = RedirectResponse(safe_next(back), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, pick_language(lang), max_age=LANGUAGE_COOKIE_MAX_AGE_S,
                        **cookie_flags(request))
    return response
