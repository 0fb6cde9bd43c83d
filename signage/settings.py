"""Where things live and how the processes are configured, read once at start."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from signage.errors import SignageError

DEFAULT_DRIVER = "emulated://768x384"
DEFAULT_LISTEN = "127.0.0.1:8080"
# Legibility floors: the drawn height of a capital 'H' and of '中' on the panel, in pixels.
# 7 px is the smallest cap height with room for Vietnamese marks above it to stay distinct;
# a Chinese character needs about 12 px rows before its strokes stop merging.
DEFAULT_MIN_LATIN_PX = 7
DEFAULT_MIN_CJK_PX = 12


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
            values["fps"] = float(env["SIGNAGE_FPS"])
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


_SWITCH = {"on": True, "true": True, "yes": True, "1": True,
           "off": False, "false": False, "no": False, "0": False}


def _switch(name: str, text: str) -> bool:
    value = _SWITCH.get(text.strip().lower())
    if value is None:
        raise SignageError(f"{name}={text!r}: write on or off")
    return value
