"""The admin API: content in (playlists), observed state out (health, status, screen).

It never touches the panel: it writes desired state through the Store and reads what
the player writes into the runtime directory. Deny by default: every route but
PUBLIC_PATHS declares the roles that may call it (see deps.py for the matrix).

Routes are thin adapters over `signage.services`: they parse, call one service function and
present its answer. May import: `signage.services` and everything below it, and
`drivers.registry`'s facts. Never: `signage.player`, a driver's device code, `console`, `cli`.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, AsyncIterator, Sequence

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

import signage
from signage.api.deps import roles_of
from signage.api.routes import (assets, audit, auth, emergency, health, metrics, panel, people,
                                 playlists, plays, revisions, schedule, status)
from signage.api.security import BodyLimit, SecurityHeaders, cors_options
from signage.clock import Clock, SystemClock
from signage.errors import StoreError
from signage.services import films
from signage.services.errors import Invalid, Refused
from signage.settings import Settings, check_origin
from signage.store import Store

try:  # FastAPI >= 0.165 keeps included routers lazy; this walks into them
    from fastapi.routing import iter_route_contexts as _iter_routes
except ImportError:  # older FastAPI copies included routes into app.routes
    _iter_routes = iter

__all__ = ["create_app", "check_routes_need_token", "route_roles", "PUBLIC_PATHS"]

log = logging.getLogger(__name__)

# Deny by default: create_app refuses to build an app with any other route lacking roles.
PUBLIC_PATHS = frozenset({"/api/health", "/api/login"})
RETRY_BUSY_AFTER_S = 1  # a busy database: another process is in a write, over in a moment

_AUTH_RESPONSES = {
    401: {"description": "No credential, or an unknown, expired or revoked one"},
    403: {"description": "The caller's role may not do this"},
}


def create_app(settings: Settings, clock: Clock | None = None, store: Store | None = None,
               cors_origins: Sequence[str] | None = None) -> FastAPI:
    """The FastAPI app; opens a Store on settings.data_dir at startup unless one is given.

    CORS stays off unless `cors_origins` (default: settings.cors_origins, from
    SIGNAGE_CORS_ORIGINS) names origins; then only those may call from a browser."""
    clock = clock or SystemClock()
    if cors_origins is None:
        cors_origins = settings.cors_origins
    for origin in cors_origins:
        check_origin(origin)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = None if store is not None else Store(settings.data_dir, clock)
        app.state.store = store if store is not None else opened
        if opened is not None and opened.jobs.abandon_unfinished():
            log.warning("film transcodes left unfinished by the last run are marked failed")
        log.info("admin API serving data dir %s, runtime dir %s", settings.data_dir,
                 settings.runtime_dir)
        try:
            yield
        finally:
            if opened is not None:  # a store we were given belongs to the caller
                films.TRANSCODER.stop()  # this process's transcodes end with it
                opened.close()

    # No /docs or /redoc: they load their scripts from a CDN that a box on a mountain
    # pole cannot reach. /openapi.json stays for tools.
    app = FastAPI(title="Signage admin API", version=signage.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.clock = clock
    app.state.failed_logins = auth.FailedLogins()
    app.include_router(health.router)
    app.include_router(auth.router)  # login is public: its answers are its own
    for router in (status.router, playlists.router, schedule.router, assets.router,
                   revisions.router, emergency.router, panel.router, plays.router,
                   audit.router, metrics.router, people.router):
        app.include_router(router, responses=_AUTH_RESPONSES)
    app.add_exception_handler(StoreError, _store_unavailable)
    app.add_exception_handler(Refused, refused_answer)
    # Added last is outermost: headers go on every answer, 413s and CORS refusals too.
    app.add_middleware(BodyLimit)
    if cors_origins:
        app.add_middleware(CORSMiddleware, **cors_options(cors_origins))
        log.info("CORS allowed for %s", ", ".join(cors_origins))
    app.add_middleware(SecurityHeaders)
    check_routes_need_token(app)
    _document_roles(app)
    return app


def route_roles(app: FastAPI) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(METHOD, path) -> the roles that route allows (None: declares none)."""
    return {
        (method, route.path): roles_of(route.dependant)
        for route in _iter_routes(app.routes)
        if getattr(route, "dependant", None) is not None  # FastAPI routes, not /docs
        for method in sorted(route.methods)
    }


def check_routes_need_token(app: FastAPI) -> None:
    """Raise if a route outside PUBLIC_PATHS does not declare the roles that may call it."""
    open_routes = [f"{method} {path}" for (method, path), roles in route_roles(app).items()
                   if roles is None and path not in PUBLIC_PATHS]
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
    """Any StoreError a route lets through: 503, and when another writer held the lock
    (retryable), a Retry-After so clients wait a moment and try again."""
    retryable = getattr(exc, "retryable", False)
    (log.warning if retryable else log.error)("store error on %s %s: %s", request.method,
                                              request.url.path, exc)
    return JSONResponse(
        status_code=503,
        content={"detail": f"the data store cannot do this now: {exc}; try again, and if it "
                 "persists check the data directory and the service log"},
        headers={"Retry-After": str(RETRY_BUSY_AFTER_S)} if retryable else None,
    )


# Each kind of refusal has one HTTP answer; the code and its parameters go with it, so a
# client can say the same thing in its own language.
_REFUSAL_STATUS = {"not_found": 404, "conflict": 409, "forbidden": 403, "invalid": 422}


async def refused_answer(request: Request, exc: Exception) -> JSONResponse:
    """A service's refusal: 422 lists every problem with its field and line; the others
    carry the sentence, the code and its parameters."""
    assert isinstance(exc, Refused)
    if isinstance(exc, Invalid):
        content = {"detail": [p.as_dict() for p in exc.problems], "message": exc.message,
                   "code": exc.code}
    else:
        content = {"detail": exc.message, "code": exc.code, **exc.params}
    return JSONResponse(status_code=_REFUSAL_STATUS[exc.kind], content=content)
