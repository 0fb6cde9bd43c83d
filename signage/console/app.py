"""The console on the API's app: pages at /, REST under /api, one server, one store.

`create_console_app` is what `signage api` serves. The console's routes are adapters over
the same services as the REST routes; this module only puts them on the app, answers the
console's own refusals as pages, and checks that every page declares who may open it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from signage.api import check_routes_need_token, create_app
from signage.clock import Clock
from signage.console.auth import (LANGUAGE_COOKIE, CrossSiteRefused, NotYourRole, SignInNeeded,
                                  Visitor, signin_url, visitor)
from signage.console.i18n import pick_language
from signage.errors import StoreError, StoreFull
from signage.console.routes import (approvals, audit, emergency, media, overview, panel, people,
                                    playlists, plays, schedule, signin)
from signage.console.views import STATIC, render
from signage.settings import Settings
from signage.store import Store

ROUTERS = (signin.router, overview.router, playlists.router, media.router, approvals.router,
           schedule.router, emergency.router,
           panel.router, audit.router, plays.router, people.router)
_STATIC_NAME = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*\.(css|js|svg|png|woff2|ico)$")
STATIC_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
                "svg": "image/svg+xml", "png": "image/png", "woff2": "font/woff2",
                "ico": "image/x-icon"}


def create_console_app(settings: Settings, clock: Clock | None = None, store: Store | None = None,
                       **api_options: Any) -> FastAPI:
    """The admin API (see signage.api.create_app) with the staff console mounted at /."""
    app = create_app(settings, clock, store, **api_options)
    mount_console(app)
    return app


def mount_console(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    _serve_static(app)
    app.add_exception_handler(SignInNeeded, _to_signin)
    app.add_exception_handler(NotYourRole, _not_your_role)
    app.add_exception_handler(CrossSiteRefused, _cross_site)
    # The API answers a store error with JSON for programs; a person on a page gets words.
    app.add_exception_handler(StoreError, _store_error_for(app.exception_handlers[StoreError]))
    # Deny by default, for pages as for the API: a console route without roles stops the app.
    check_routes_need_token(app, extra_public=signin.PUBLIC_PATHS | {"/static/{version}/{name:path}"})


def _serve_static(app: FastAPI) -> None:
    @app.get("/static/{version}/{name:path}", include_in_schema=False)
    async def static_file(version: str, name: str) -> Response:
        """A file of the console's static folder. The version in the path is its hash
        (views.static_url), so the answer may be kept for a year."""
        path = STATIC / name
        if not _STATIC_NAME.match(name) or not path.is_file():
            raise HTTPException(404, detail="no such file")
        return FileResponse(path, media_type=STATIC_TYPES[name.rsplit(".", 1)[1]], headers={
            "Cache-Control": "public, max-age=31536000, immutable"})


async def _to_signin(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    return RedirectResponse(signin_url(exc.next_path, exc.expired), status_code=303)


async def _not_your_role(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotYourRole)
    return render(request, exc.visitor, "refused.html", status_code=403, why="role",
                  roles=exc.roles)


def _store_error_for(api_answer):
    async def store_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            return await api_answer(request, exc)
        # No store, so no session check: the page is drawn for a visitor with no name.
        who = Visitor(pick_language(request.cookies.get(LANGUAGE_COOKIE)))
        retry = {"Retry-After": "1"} if getattr(exc, "retryable", False) else None
        return render(request, who, "unavailable.html", headers=retry,
                      status_code=507 if isinstance(exc, StoreFull) else 503,
                      full=isinstance(exc, StoreFull))
    return store_error


async def _cross_site(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CrossSiteRefused)
    who = await run_in_threadpool(visitor, request)
    return render(request, who, "refused.html", status_code=403, why="cross_site",
                  detail=exc.detail, roles=())
