"""Where things live and how the processes are configured, read once at start."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from signage.errors import SignageError

DEFAULT_DRIVER = "emulated://768x384"
DEFAULT_LISTEN = "127.0.0.1:8080"
# Legibility floors: the drawn height of a capital 'H' and of '中' on the panel, in pixels.
# 7 px is the smallest cap height with room for Vietnamese marks above it to stay distinct;
# Chinese LED signs conventionally draw their smallest characters on 16x16 dots: below
# that, the strokes of characters such as 警 or 赢 merge, and OCR cannot read them unscaled.
DEFAULT_MIN_LATIN_PX = 7
DEFAULT_MIN_CJK_PX = 16
# How the three-quarter rule (Law on Advertising 2012 art. 18(2)) is measured; see
# signage/render/text.py. 'glyph' (strict, the default): the drawn height of English 'H'
# and Chinese '中' is at most 3/4 of the Vietnamese 'H'. 'size': the foreign font size is at
# most 3/4 of the Vietnamese font size (the reading of "type size" in print).
FOREIGN_SIZE_BASES = ("glyph", "size")
DEFAULT_MAX_UPLOAD_MB = 25
DEFAULT_PLAYS_KEEP_DAYS = 400
MAX_UPLOAD_MB_CEILING = 200
DEFAULT_DISK_RESERVE_MB = 8
DEFAULT_MAX_FILM_MB = 500
MAX_FILM_MB_CEILING = 4000


@dataclasses.dataclass(frozen=True)
class Settings:
    data_dir: Path
    runtime_dir: Path
    driver: str = DEFAULT_DRIVER
    fps: float = 30.0
    # The site's time zone (SIGNAGE_SITE_TIMEZONE): API times are shown at its offset.
    site_timezone: str = "Asia/Ho_Chi_Minh"
    # Per-language font overrides, 'path' or 'path:face-index' (SIGNAGE_FONT_VI/EN/ZH), and
    # 'fallback': comma-separated faces for characters no language face has
    # (SIGNAGE_FONT_FALLBACK; empty means none), and 'basis': how the three-quarter rule is
    # measured, one of FOREIGN_SIZE_BASES (SIGNAGE_FOREIGN_SIZE_BASIS; default glyph).
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
    # Room kept free on the data disk for emergency notices and deletes when it is full;
    # uploads are refused before they would use it (SIGNAGE_DISK_RESERVE_MB, 0 to 1024).
    disk_reserve_mb: float = DEFAULT_DISK_RESERVE_MB

    @property
    def disk_reserve_bytes(self) -> int:
        return int(self.disk_reserve_mb * 2**20)

    def shown(self, text: str) -> str:
        """`text` with the data and runtime dirs named by their settings, not by absolute
        paths: answers tell a technician where, without mapping the box for anyone else.

        >>> Settings(Path("/srv/sig"), Path("/run/sig")).shown("/srv/sig/signage.db is damaged")
        '$SIGNAGE_DATA_DIR/signage.db is damaged'
        """
        for directory, name in ((self.runtime_dir, "$SIGNAGE_RUNTIME_DIR"),
                                (self.data_dir, "$SIGNAGE_DATA_DIR")):
            text = text.replace(str(directory), name)
        return text
    # Reverse proxies whose X-Forwarded-For is believed (SIGNAGE_TRUSTED_PROXIES, addresses
    # or networks, comma-separated). None by default: the client is the socket's peer, so
    # a forged header cannot dodge the login throttle or put a false address in the log.
    trusted_proxies: tuple[str, ...] = ()

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
    def history_path(self) -> Path:
        """The player's per-minute history of the last 24 hours (charts)."""
        return self.runtime_dir / "history.json"

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
        if env.get("SIGNAGE_FOREIGN_SIZE_BASIS"):
            fonts["basis"] = _basis(env["SIGNAGE_FOREIGN_SIZE_BASIS"])
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
        if env.get("SIGNAGE_DISK_RESERVE_MB"):
            values["disk_reserve_mb"] = _number("SIGNAGE_DISK_RESERVE_MB",
                                                env["SIGNAGE_DISK_RESERVE_MB"], 0, 1024,
                                                "megabytes", "8")
        if env.get("SIGNAGE_SITE_TIMEZONE"):
            values["site_timezone"] = _time_zone("SIGNAGE_SITE_TIMEZONE", env["SIGNAGE_SITE_TIMEZONE"])
        if env.get("SIGNAGE_CORS_ORIGINS"):
            values["cors_origins"] = parse_cors_origins(env["SIGNAGE_CORS_ORIGINS"])
        if env.get("SIGNAGE_TRUSTED_PROXIES"):
            values["trusted_proxies"] = parse_trusted_proxies(env["SIGNAGE_TRUSTED_PROXIES"])
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


def _time_zone(name: str, text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SignageError(f"{name}={text!r}: name a time zone, e.g. Asia/Ho_Chi_Minh") from None
    return text.strip()


def _basis(text: str) -> str:
    basis = text.strip().lower()
    if basis not in FOREIGN_SIZE_BASES:
        raise SignageError(f"SIGNAGE_FOREIGN_SIZE_BASIS={text!r}: write glyph (the drawn height "
                           "of H and 中, strict) or size (the font size)")
    return basis


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


def parse_trusted_proxies(text: str | None) -> tuple[str, ...]:
    """The addresses or networks in SIGNAGE_TRUSTED_PROXIES (comma-separated)."""
    proxies = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SignageError(
                f"SIGNAGE_TRUSTED_PROXIES: {proxy!r} is not an address or network; write "
                "e.g. 127.0.0.1 or 10.0.0.0/24, comma-separated ('*' is not allowed)") from None
    return proxies


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
