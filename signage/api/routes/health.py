"""GET /api/health: is the wall being driven? Public, minimal, for monitors."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from signage.api.deps import ClockDep, ContentDep, SettingsDep
from signage.store.runtime import read_player_state
from signage.errors import SignageError

router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/health",
    responses={503: {"description": "The player is not running (same body as 200)"}},
)
def get_health(settings: SettingsDep, clock: ClockDep, content: ContentDep) -> JSONResponse:
    """200 when the player wrote its status recently, 503 when not: a monitor alerts on it."""
    player = read_player_state(settings.status_path, clock.now())
    try:
        live_revision = content.live_revision()
        store_ok = True
    except SignageError:  # the store's errors, a busy or damaged database among them
        live_revision, store_ok = None, False
    healthy = player.alive and store_ok
    # Nothing here may identify content, people, paths, processes or the software
    # version (a gift to whoever scans for old releases): this route has no token.
    body = {
        "state": "ok" if healthy else "down",
        "player": {"alive": player.alive, "status_age_s": player.age_s},
        "live_revision": live_revision,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
