"""Where things live and how the processes are configured, read once at start."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from urllib.parse import urlsplit

from signage.errors import SignageError

DEFAULT_DRIVER = "emulated://768x384"
DEFAULT_LISTEN = "127.0.0.1:8080"
# Legibility floors: the drawn height of a capital 'H' and of '中' on the panel, in pixels.
# 7 px is the smallest cap height with room for Vietnamese marks above it to stay distinct;
# a Chinese character needs about 12 px rows before its strokes stop merging.
DEFAULT_MIN_LATIN_PX = 7
DEFAULT_MIN_CJK_PX = 12
DEFAULT_MAX_UPLOAD_MB = 25
DEFAULT_PLAYS_KEEP_DAYS = 400
MAX_UPLOAD_MB_CEILING = 200
DEFAULT_MAX_FILM_MB = 500
MAX_FILM_MB_CEILING = 4000


@dataclasses.dataclass(frozen=True)
class Settings:
    data_dir: Path
    runtime_dir: Path
    driver: str = DEFAULT_DRIVER
    fps: float = 30.0
    site_timezone: str = "Asia/Ho_Chi_Minh"
    # Per-language font overrides, 'path' or 'path:face-index' (SIGNAGE_FONT_VI/EN/ZH), and
    # 'fallback': comma-separated faces for characters no language face has
    # (SIGNAGE_FONT_FALLBACK; empty means none).
    fonts: dict[str, str] = dataclasses.field(default_factory=dict)
    min_latin_px: int = DEFAULT_MIN_LATIN_PX  # SIGNAGE_MIN_LATIN_PX
    min_cjk_px: int = DEFAULT_MIN_CJK_PX      # SIGNAGE_MIN_CJK_PX
    # An approver may not approve what they wrote (SIGNAGE_FOUR_EYES=off turns this off,
    # for a site with a single responsible person).
    four_eyes: bool = True
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB  # SIGNAGE_MAX_UPLOAD_MB, 1 to 200
    # Films have their own cap (SIGNAGE_MAX_FILM_MB, 1 to 4000): streamed to disk, never
    # held in memory, so only the disk bounds it.
    max_film_mb: float = DEFAULT_MAX_FILM_MB
    # Browser origins allowed to call the API (SIGNAGE_CORS_ORIGINS, comma-separated);
    # none: CORS stays off.
    cors_origins: tuple[str, ...] = ()
    # Proof of play older than this many days is deleted, once a day (SIGNAGE_PLAYS_KEEP_DAYS):
    # years of plays would fill an SD card. The default keeps a full year for yearly reports.
    plays_keep_days: int = DEFAULT_PLAYS_KEEP_DAYS

    @property
    def db_path(self) -> Path:
        return self.data_dir / "signage.db"

    @property
    def assets_dir(self) -> Path:
        return self.data_dir / "assets"

    @property
    def status_path(self) -> Path:
        return self.runtime_dir / "status.json"

    @property
    def snapshot_path(self) -> Path:
        return self.runtime_dir / "frame.png"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        """SIGNAGE_DATA_DIR (default ./var) and SIGNAGE_RUNTIME_DIR (default DATA/run)."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("SIGNAGE_DATA_DIR") or "var").absolute()
        runtime_dir = Path(env.get("SIGNAGE_RUNTIME_DIR") or data_dir / "run").absolute()
        values = {"data_dir": data_dir, "runtime_dir": runtime_dir}
        if env.get("SIGNAGE_DRIVER"):
            values["driver"] = env["SIGNAGE_DRIVER"]
        if env.get("SIGNAGE_FPS"):
            values["fps"] = _number("SIGNAGE_FPS", env["SIGNAGE_FPS"], 1, 240, "frames a second", "30")
        fonts = {lang: env[f"SIGNAGE_FONT_{lang.upper()}"] for lang in ("vi", "en", "zh")
                 if env.get(f"SIGNAGE_FONT_{lang.upper()}")}
        if "SIGNAGE_FONT_FALLBACK" in env:
            fonts["fallback"] = env["SIGNAGE_FONT_FALLBACK"]
        if fonts:
            values["fonts"] = fonts
        for field, name in (("min_latin_px", "SIGNAGE_MIN_LATIN_PX"),
                            ("min_cjk_px", "SIGNAGE_MIN_CJK_PX")):
            if env.get(name):
                values[field] = _pixels(name, env[name])
        if env.get("SIGNAGE_FOUR_EYES"):
            values["four_eyes"] = _switch("SIGNAGE_FOUR_EYES", env["SIGNAGE_FOUR_EYES"])
        if env.get("SIGNAGE_MAX_UPLOAD_MB"):
            values["max_upload_mb"] = _number("SIGNAGE_MAX_UPLOAD_MB", env["SIGNAGE_MAX_UPLOAD_MB"],
                                              1, MAX_UPLOAD_MB_CEILING, "megabytes", "25")
        if env.get("SIGNAGE_MAX_FILM_MB"):
            values["max_film_mb"] = _number("SIGNAGE_MAX_FILM_MB", env["SIGNAGE_MAX_FILM_MB"],
                                            1, MAX_FILM_MB_CEILING, "megabytes", "500")
        if env.get("SIGNAGE_PLAYS_KEEP_DAYS"):
            values["plays_keep_days"] = int(_number(
                "SIGNAGE_PLAYS_KEEP_DAYS", env["SIGNAGE_PLAYS_KEEP_DAYS"], 1, 3650, "days", "400"))
        if env.get("SIGNAGE_CORS_ORIGINS"):
            values["cors_origins"] = parse_cors_origins(env["SIGNAGE_CORS_ORIGINS"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _pixels(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 1 <= value <= 200:
        raise SignageError(f"{name}={text!r}: write a whole number of pixels from 1 to 200, e.g. 7")
    return value


def _number(name: str, text: str, low: float, high: float, unit: str, example: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        raise SignageError(f"{name}={text!r}: write a number of {unit} from {low:g} to "
                           f"{high:g}, e.g. {example}")
    return value


def parse_cors_origins(text: str | None) -> tuple[str, ...]:
    """The origins in SIGNAGE_CORS_ORIGINS (comma-separated); empty means CORS stays off."""
    origins = tuple(part.strip().rstrip("/") for part in (text or "").split(",") if part.strip())
    for origin in origins:
        check_origin(origin)
    return origins


def check_origin(origin: str) -> None:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise SignageError(
            f"SIGNAGE_CORS_ORIGINS: {origin!r} is not an origin; write scheme://host[:port], "
            "e.g. https://signage-admin.example.vn, comma-separated ('*' is not allowed)"
        )


_SWITCH = {"on": True, "true": True, "yes": True, "1": True,
           "off": False, "false": False, "no": False, "0": False}


def _switch(name: str, text: str) -> bool:
    value = _SWITCH.get(text.strip().lower())
    if value is None:
        raise SignageError(f"{name}={text!r}: write on or off")
    return value
