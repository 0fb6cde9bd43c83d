"""GET /api/health: is the wall being driven, and can its store be used? Public, minimal,
for monitors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from signage.api.deps import ClockDep, SettingsDep
from signage.errors import SignageError
from signage.store.runtime import read_player_state

router = APIRouter(prefix="/api", tags=["health"])

# What a technician does about each store state; no paths or versions (this is public).
STORE_ACTIONS = {
    "store damaged": "signage.db is damaged and was left untouched; the wall plays the last "
                     "good content; restore the newest backup of the data directory (see the "
                     "service log for the exact steps)",
    "store read-only": "the data disk is read-only (a failing SD card is remounted so); the "
                       "wall plays what is published but nothing can be changed; replace the "
                       "card and restore the data directory",
    "disk full": "the data disk is full; delete unused assets or old files",
    "store unavailable": "the store cannot be opened; see the service log",
}


@router.get(
    "/health",
    responses={503: {"description": "The player is not running, or the store is damaged, "
                                    "read-only or full (same body as 200)"}},
)
def get_health(request: Request, settings: SettingsDep, clock: ClockDep) -> JSONResponse:
    """200 when the player wrote its status recently and the store works, 503 when not:
    a monitor alerts on it. `state` says which: ok, down, store damaged, store read-only."""
    player = read_player_state(settings.status_path, clock.now())
    store_state, _ = request.app.state.store_slot.state()
    live_revision = None
    if store_state in ("ok", "store read-only"):
        try:
            live_revision = request.app.state.store_slot.get().content.live_revision()
        except SignageError as exc:  # a busy or damaged database among them
            store_state = getattr(exc, "state", "store unavailable")
    healthy = player.alive and store_state == "ok"
    # Nothing here may identify content, people, paths, processes or the software
    # version (a gift to whoever scans for old releases): this route has no token.
    body = {
        "state": "ok" if healthy else (store_state if store_state != "ok" else "down"),
        "player": {"alive": player.alive, "status_age_s": player.age_s},
        "live_revision": live_revision,
    }
    if store_state != "ok":
        body["store"] = {"state": store_state, "action": STORE_ACTIONS.get(
            store_state, STORE_ACTIONS["store unavailable"])}
    return JSONResponse(body, status_code=200 if healthy else 503)
