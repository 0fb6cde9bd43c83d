"""The overview: the live wall picture, what plays now and next, health at a glance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from signage.api.observed import read_snapshot
from signage.console.auth import Visitor, every_role
from signage.console.views import render
from signage.store.runtime import read_player_state

router = APIRouter(include_in_schema=False)

AnyoneDep = Annotated[Visitor, Depends(every_role())]


@router.get("/")
def overview(request: Request, who: AnyoneDep) -> Response:
    settings, clock = request.app.state.settings, request.app.state.clock
    player = read_player_state(settings.status_path, clock.now())
    return render(request, who, "overview.html", player=_player_facts(player))


def _player_facts(player) -> dict[str, Any]:
    doc = player.document or {}
    return {"alive": player.alive, "known": player.document is not None,
            "playlist": doc.get("playlist"), "item": doc.get("item") or {},
            "fps": doc.get("fps"), "target_fps": doc.get("target_fps"),
            "screen": doc.get("screen", "content"), "state": doc.get("state")}


@router.get("/screen.png")
def wall_picture(request: Request, who: AnyoneDep) -> Response:
    """The last frame the player presented (as /api/screen.png), for the overview's picture."""
    settings, clock = request.app.state.settings, request.app.state.clock
    snapshot = read_snapshot(settings.snapshot_path, clock.now())
    if snapshot is None:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    return Response(snapshot.png, media_type="image/png",
                    headers={"Cache-Control": "no-store", "X-Frame-Age": f"{snapshot.age_s:.3f}"})
