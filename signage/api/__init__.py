"""The admin API: content in (playlists), observed state out (health, status, screen).

It never touches the panel: it writes desired state through the Store and reads what
the player writes into the runtime directory. Deny by default: every route but
PUBLIC_PATHS declares the roles that may call it (see deps.py for the matrix).

Routes are thin adapters over `signage.services`: they parse, call one service function and
present its answer. May import: `signage.services` and everything below it, and
`drivers.registry`'s facts. Never: `signage.player`, a driver's device code, `console`, `cli`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator, Sequence

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import signage
from signage.api.deps import require_role, roles_of
from signage.api.routes import (assets, audit, auth, emergency, health, metrics, panel, people,
                                 playlists, plays, revisions, schedule, status)
from signage.api.security import (BodyLimit, BodyPace, SecurityHeaders, ServerTiming, SlowBody,
                                   cors_options)
from signage.clock import Clock, SystemClock
from signage.errors import StoreError, StoreFull
from signage.services import films
from signage.services.errors import Invalid, Refused
from signage.services.fair import FairQueue
from signage.settings import Settings, check_origin
from signage.store import Store
from signage.store.slot import StoreSlot
from signage.store.access import ROLES

try:  # FastAPI >= 0.165 keeps included routers lazy; this walks into them
    from fastapi.routing import iter_route_contexts as _iter_routes
except ImportError:  # older FastAPI copies included routes into app.routes
    _iter_routes = iter

__all__ = ["create_app", "check_routes_need_token", "route_roles", "PUBLIC_PATHS"]

log = logging.getLogger(__name__)

# Deny by default: create_app refuses to build an app with any other route lacking roles.
PUBLIC_PATHS = frozenset({"/api/health", "/api/login"})
RETRY_BUSY_AFTER_S = 1
FLUSH_LAST_USED_EVERY_S = 60.0  # a busy database: another process is in a write, over in a moment

_AUTH_RESPONSES = {
    401: {"description": "No credential, or an unknown, expired or revoked one"},
    403: {"description": "The caller's role may not do this"},
}


def create_app(settings: Settings, clock: Clock | None = None, store: Store | None = None,
               cors_origins: Sequence[str] | None = None,
               body_pace: BodyPace = BodyPace()) -> FastAPI:
    """The FastAPI app; opens a Store on settings.data_dir at startup unless one is given.

    CORS stays off unless `cors_origins` (default: settings.cors_origins, from
    SIGNAGE_CORS_ORIGINS) names origins; then only those may call from a browser.
    `body_pace` says how slowly a request body may arrive before a 408."""
    clock = clock or SystemClock()
    if cors_origins is None:
        cors_origins = settings.cors_origins
    for origin in cors_origins:
        check_origin(origin)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A store that cannot be opened (damaged, read-only and old) does not stop the
        # API: health and every route that needs it say why, and it is retried.
        slot = StoreSlot(settings.data_dir, clock, store, settings.disk_reserve_bytes)
        app.state.store_slot = slot
        slot.state()
        log.info("admin API serving data dir %s, runtime dir %s", settings.data_dir,
                 settings.runtime_dir)
        flusher = asyncio.create_task(_flush_last_used_every(slot, FLUSH_LAST_USED_EVERY_S))
        try:
            yield
        finally:
            flusher.cancel()
            _flush_last_used(slot)
            app.state.previews.shutdown()
            app.state.uploads.shutdown()
            if store is None:  # a store we were given belongs to the caller
                films.TRANSCODER.stop()  # this process's transcodes end with it
                slot.close()

    # No /docs or /redoc: they load their scripts from a CDN that a box on a mountain
    # pole cannot reach. /openapi.json stays for tools, behind a credential (below): it
    # names the version that health keeps to itself, and every route an attacker could try.
    app = FastAPI(title="Signage admin API", version=signage.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.clock = clock
    app.state.failed_logins = auth.LoginThrottle()
    # One renderer thread (a 1080p frame is tens of MB on a small box); two previews per
    # person and eight in all may wait; more are 429.
    app.state.previews = FairQueue("preview", workers=1, per_caller=2, total=8)
    # Image uploads are decoded and scaled the same way, on a queue of their own.
    app.state.uploads = FairQueue("upload", workers=1, per_caller=2, total=4)
    app.include_router(health.router)
    app.include_router(auth.router)  # login is public: its answers are its own
    for router in (status.router, playlists.router, schedule.router, assets.router,
                   revisions.router, emergency.router, panel.router, plays.router,
                   audit.router, metrics.router, people.router):
        app.include_router(router, responses=_AUTH_RESPONSES)
    _serve_openapi(app)
    app.add_exception_handler(StoreError, _store_unavailable)
    app.add_exception_handler(Refused, refused_answer)
    # Added last is outermost: headers go on every answer, 408s, 413s and CORS refusals too.
    app.add_middleware(BodyLimit)
    app.add_middleware(SlowBody, pace=body_pace)
    if cors_origins:
        app.add_middleware(CORSMiddleware, **cors_options(cors_origins))
        log.info("CORS allowed for %s", ", ".join(cors_origins))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ServerTiming)  # outermost: every answer's whole time, 500s too
    check_routes_need_token(app)
    _document_roles(app)
    return app


async def _flush_last_used_every(slot: StoreSlot, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)  # asyncio's timer: the clock is not ours to inject here
        await run_in_threadpool(_flush_last_used, slot)


def _flush_last_used(slot: StoreSlot) -> None:
    """Write the tokens' last-used times, off the request path; a disk that is full or
    read-only keeps them for the next try and no request notices."""
    try:
        slot.get().access.flush_last_used()
    except StoreError as exc:
        log.warning("cannot record when tokens were last used: %s", exc)


def _serve_openapi(app: FastAPI) -> None:
    """GET /openapi.json for any credential (any role); 401 without one."""
    @app.get("/openapi.json", include_in_schema=False,
             dependencies=[Depends(require_role(*ROLES))])
    async def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())


def route_roles(app: FastAPI) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(METHOD, path) -> the roles that route allows (None: declares none)."""
    return {
        (method, route.path): roles_of(route.dependant)
        for route in _iter_routes(app.routes)
        if getattr(route, "dependant", None) is not None  # FastAPI routes, not /docs
        for method in sorted(route.methods)
    }


def check_routes_need_token(app: FastAPI, extra_public: frozenset[str] = frozenset()) -> None:
    """Raise if a route outside PUBLIC_PATHS (and `extra_public`) does not declare the roles
    that may call it."""
    public = PUBLIC_PATHS | extra_public
    open_routes = [f"{method} {path}" for (method, path), roles in route_roles(app).items()
                   if roles is None and path not in public]
    if open_routes:
        raise RuntimeError(
            f"routes without roles: {', '.join(open_routes)}; declare who may call each with "
            "dependencies=[Depends(require_role(...))] or add it to PUBLIC_PATHS"
        )


def _document_roles(app: FastAPI) -> None:
    """List each operation's roles in the OpenAPI document as x-roles, for people and tests."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for (method, path), roles in route_roles(app).items():
                operation = schema["paths"].get(path, {}).get(method.lower())
                if operation is not None and roles is not None:
                    operation["x-roles"] = list(roles)
                    operation["description"] = (operation.get("description", "") +
                                                f"\n\nRoles: {', '.join(roles)}.").strip()
        return app.openapi_schema

    app.openapi = openapi


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Any StoreError a route lets through: 507 when the disk is full, else 503, and when
    another writer held the lock (retryable), a Retry-After so clients try again soon.
    `state` names the cause (store damaged, store read-only, disk full) for monitors."""
    retryable = getattr(exc, "retryable", False)
    (log.warning if retryable else log.error)("store error on %s %s: %s", request.method,
                                              request.url.path, exc)
    return JSONResponse(
        status_code=507 if isinstance(exc, StoreFull) else 503,
        content={"detail": request.app.state.settings.shown(
                     f"the data store cannot do this now: {exc}; if it persists check the "
                     "data directory and the service log"),
                 "state": getattr(exc, "state", "store unavailable")},
        headers={"Retry-After": str(RETRY_BUSY_AFTER_S)} if retryable else None,
    )


# Each kind of refusal has one HTTP answer; the code and its parameters go with it, so a
# client can say the same thing in its own language.
REFUSAL_STATUS = {"not_found": 404, "conflict": 409, "forbidden": 403, "invalid": 422,
                   "busy": 429}


async def refused_answer(request: Request, exc: Exception) -> JSONResponse:
    """A service's refusal: 422 lists every problem with its field and line; the others
    carry the sentence, the code and its parameters."""
    assert isinstance(exc, Refused)
    if isinstance(exc, Invalid):
        content = {"detail": [p.as_dict() for p in exc.problems], "message": exc.message,
                   "code": exc.code}
    else:
        content = {"detail": exc.message, "code": exc.code, **exc.params}
    retry = exc.params.get("retry_after_s")
    return JSONResponse(status_code=REFUSAL_STATUS[exc.kind], content=content,
                        headers={"Retry-After": str(retry)} if retry is not None else None)
