"""The admin API: content in (playlists), observed state out (health, status, screen).

It never touches the panel: it writes desired state through the Store and reads what
the player writes into the runtime directory.
"""

from __future__ import annotations

import contextlib
import logging
from typing import AsyncIterator

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

import signage
from signage.api.deps import require_token
from signage.api.routes import emergency, health, playlists, schedule, status
from signage.clock import Clock, SystemClock
from signage.errors import StoreError
from signage.settings import Settings
from signage.store import Store

try:  # FastAPI >= 0.165 keeps included routers lazy; this walks into them
    from fastapi.routing import iter_route_contexts as _iter_routes
except ImportError:  # older FastAPI copies included routes into app.routes
    _iter_routes = iter

__all__ = ["create_app", "check_routes_need_token", "PUBLIC_PATHS"]

log = logging.getLogger(__name__)

# Deny by default: create_app refuses to build an app with any other route lacking a token.
PUBLIC_PATHS = frozenset({"/api/health"})

_AUTH_RESPONSES = {
    401: {"description": "No token, or an unknown or revoked one"},
    403: {"description": "The token's role may not do this"},
}


def create_app(settings: Settings, clock: Clock | None = None, store: Store | None = None) -> FastAPI:
    """The FastAPI app; opens a Store on settings.data_dir at startup unless one is given."""
    clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = None if store is not None else Store(settings.data_dir, clock)
        app.state.store = store if store is not None else opened
        log.info("admin API serving data dir %s, runtime dir %s", settings.data_dir,
                 settings.runtime_dir)
        try:
            yield
        finally:
            if opened is not None:  # a store we were given belongs to the caller
                opened.close()

    # No /docs or /redoc: they load their scripts from a CDN that a box on a mountain
    # pole cannot reach. /openapi.json stays for tools.
    app = FastAPI(title="Signage admin API", version=signage.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.clock = clock
    app.include_router(health.router)
    for router in (status.router, playlists.router, schedule.router, emergency.router):
        app.include_router(router, dependencies=[Depends(require_token)], responses=_AUTH_RESPONSES)
    app.add_exception_handler(StoreError, _store_unavailable)
    check_routes_need_token(app)
    return app


def check_routes_need_token(app: FastAPI) -> None:
    """Raise if a route outside PUBLIC_PATHS can be called without a token."""
    open_routes = [
        route.path for route in _iter_routes(app.routes)
        if getattr(route, "dependant", None) is not None  # FastAPI routes, not /docs
        and route.path not in PUBLIC_PATHS and not _depends_on(route.dependant, require_token)
    ]
    if open_routes:
        raise RuntimeError(
            f"routes without a token check: {', '.join(open_routes)}; include their router "
            "with dependencies=[Depends(require_token)] or add them to PUBLIC_PATHS"
        )


def _depends_on(dependant, call) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.error("store error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=503,
        content={"detail": f"the data store cannot do this now: {exc}; try again, and if it "
                 "persists check the data directory and the service log"},
    )
