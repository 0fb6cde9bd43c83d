"""What the player reports: its status document and the last frame it presented."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Response, status

from signage.api.deps import ClockDep, SettingsDep, require_role
from signage.api.observed import read_player_state, read_snapshot

router = APIRouter(prefix="/api", tags=["status"])

_START_PLAYER = "start it with `signage player` (or `signage run`) and check its log"


@router.get("/status", dependencies=[Depends(require_role("technician"))],
            responses={503: {"description": "The player has written no status yet"}})
def get_status(settings: SettingsDep, clock: ClockDep) -> dict[str, Any]:
    """The player's status document as written, plus its age and whether it is fresh."""
    player = read_player_state(settings.status_path, clock.now())
    if player.document is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"the player has written no status document yet; {_START_PLAYER}",
        )
    return {**player.document, "status_age_s": player.age_s, "player_alive": player.alive}


@router.get(
    "/screen.png",
    dependencies=[Depends(require_role("technician"))],
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}, "description": "The last presented frame"},
        503: {"description": "The player has written no frame yet"},
    },
)
def get_screen(settings: SettingsDep, clock: ClockDep) -> Response:
    """The last frame the player presented; X-Frame-Age says how old it is in seconds."""
    snapshot = read_snapshot(settings.snapshot_path, clock.now())
    if snapshot is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"the player has written no frame snapshot yet; {_START_PLAYER}",
        )
    return Response(
        snapshot.png,
        media_type="image/png",
        headers={"Cache-Control": "no-store", "X-Frame-Age": f"{snapshot.age_s:.3f}"},
    )
