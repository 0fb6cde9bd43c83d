"""What the player reports (its status document, the last frame it presented), and the
box's own health beside it: disk free on the data dir, memory, uptime."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Response, status

from signage.api.deps import ClockDep, SettingsDep, SiteZoneDep, require_role
from signage.api.localtime import in_site_time
from signage.api.observed import read_minute_history, read_snapshot, without_paths
from signage.store.runtime import read_player_state

router = APIRouter(prefix="/api", tags=["status"])

_START_PLAYER = "start it with `signage player` (or `signage run`) and check its log"


@router.get("/status", dependencies=[Depends(require_role("technician"))],
            responses={503: {"description": "The player has written no status yet"}})
def get_status(settings: SettingsDep, clock: ClockDep, zone: SiteZoneDep) -> dict[str, Any]:
    """The player's status document as written, plus its age and whether it is fresh;
    its times at the site's offset."""
    player = read_player_state(settings.status_path, clock.now())
    if player.document is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"the player has written no status document yet; {_START_PLAYER}",
        )
    return without_paths({**in_site_time(player.document, zone), "status_age_s": player.age_s,
                          "player_alive": player.alive,
                          **box_health(settings.data_dir, player.document.get("rss_mb"))},
                         settings)


@router.get("/status/history", dependencies=[Depends(require_role("technician"))],
            responses={503: {"description": "The player has written no minute history yet"}})
def get_status_history(settings: SettingsDep, clock: ClockDep, zone: SiteZoneDep
                       ) -> dict[str, Any]:
    """The player's per-minute history of the last 24 hours, oldest first: frame rate
    (mean and lowest), the hottest receiving card, the lowest and highest card voltage
    (null where the driver reads none back) and frames dropped. A minute without a point
    is one the player did not run or did not trust its clock. Times at the site's offset."""
    points = read_minute_history(settings.history_path, clock.now())
    if points is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=("the player has written no readable minute history yet (it writes "
                    f"one as each minute ends); {_START_PLAYER}"),
        )
    return in_site_time({"points": [point.as_dict() for point in points]}, zone)


def box_health(data_dir: Path, player_rss_mb: object = None) -> dict[str, Any]:
    """Disk free on the data dir, memory (the box's, and the player's own), box uptime."""
    meminfo = read_meminfo()
    return {
        "disk": disk_space(data_dir),
        "memory": {"total_mb": _mb(meminfo.get("MemTotal")),
                   "available_mb": _mb(meminfo.get("MemAvailable")),
                   "player_rss_mb": player_rss_mb if isinstance(player_rss_mb, (int, float)) else None},
        "box_uptime_s": read_uptime(),
    }


def disk_space(path: Path) -> dict[str, Any]:
    """Free and total bytes where `path` is (the nearest existing parent)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return {"path": str(path), "free_mb": None, "total_mb": None}
    return {"path": str(path), "free_mb": _mb(usage.free), "total_mb": _mb(usage.total)}


def parse_meminfo(text: str) -> dict[str, int]:
    """/proc/meminfo as bytes by name.

    >>> parse_meminfo("MemTotal:  2048 kB\\nMemAvailable: 1024 kB\\n")
    {'MemTotal': 2097152, 'MemAvailable': 1048576}
    """
    found = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            found[name.strip()] = int(fields[0]) * (1024 if fields[1:] == ["kB"] else 1)
    return found


def read_meminfo(path: Path = Path("/proc/meminfo")) -> dict[str, int]:
    try:
        return parse_meminfo(path.read_text())
    except OSError:  # not Linux: the fields say null
        return {}


def read_uptime(path: Path = Path("/proc/uptime")) -> float | None:
    """Seconds since the box booted (a reboot after a power cut shows here)."""
    try:
        return round(float(path.read_text().split()[0]), 1)
    except (OSError, ValueError, IndexError):
        return None


def _mb(value: int | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


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
    """What the panel shows: the last frame presented, black while the wall is blanked,
    the pattern while a test pattern is on. X-Screen says which (content, blanked,
    test-pattern NAME); X-Frame-Age how old the picture is in seconds."""
    snapshot = read_snapshot(settings.snapshot_path, clock.now())
    if snapshot is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"the player has written no frame snapshot yet; {_START_PLAYER}",
        )
    return Response(
        snapshot.png,
        media_type="image/png",
        headers={"Cache-Control": "no-store", "X-Frame-Age": f"{snapshot.age_s:.3f}",
                 "X-Screen": snapshot.screen or "content"},
    )
