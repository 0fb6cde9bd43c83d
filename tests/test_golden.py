"""Golden frames: each content kind, each card design, the emergency card and each transition
at 384x192, against reference PNGs.

Regenerate the references after an intended change to how things look, then look at them:

    .venv/bin/python -m tests.test_golden        (or: make golden)

Tolerance: FreeType builds differ slightly in anti-aliasing and hinting, so a frame may
differ from its reference by a few levels on glyph edges. A frame passes when its mean
absolute difference is at most 1.5 levels per channel and at most 1% of its pixels differ
by more than 16 grey levels; a moved line of text, a wrong colour or a missing zone fails.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
from PIL import Image, ImageChops, ImageDraw  # noqa: E402

from signage.content.models import Message, Playlist  # noqa: E402
from signage.player.emergency import emergency_playlist  # noqa: E402
from signage.schedule.state import Emergency  # noqa: E402
from signage.render.compositor import Compositor  # noqa: E402
from signage.render.stage import Stage  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
SIZE = (384, 192)
NOW = dt.datetime(2026, 11, 26, 1, 2, 3, tzinfo=dt.timezone.utc)  # 08:02 in Vietnam
MEAN_LEVELS = 1.5
FAR_LEVELS, FAR_SHARE = 16, 0.01  # grey levels, share of pixels

TEXT = {"vi": "Chào mừng quý khách", "en": "Welcome", "zh": "欢迎光临"}
CAPTION = {"vi": "Cao nguyên đá Đồng Văn", "en": "Dong Van Karst Plateau", "zh": "同文喀斯特高原"}
TICKER = {"kind": "ticker", "speed": 100,
          "text": {"vi": "Cửa khẩu mở cửa 7:00 – 22:00", "en": "Open 7:00 – 22:00", "zh": "开放时间 7:00–22:00"}}


EMERGENCY = Emergency(
    id=1, message=Message(vi="Cửa khẩu tạm đóng do mưa lũ", en="The gate is closed: flooding",
                          zh="口岸因洪水暂时关闭"),
    priority=100, starts_at=NOW, expires_at=NOW + dt.timedelta(hours=2), created_by="golden",
    created_at=NOW, cancelled_at=None, cancelled_by=None)


def _picture_bytes() -> bytes:
    """A small picture drawn here (a sky, a hill, a sun), so the test needs no asset file."""
    image = Image.new("RGB", (160, 90), (90, 150, 220))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 90), (60, 35), (110, 70), (160, 40), (160, 90)], fill=(40, 110, 50))
    draw.ellipse((120, 8, 145, 33), fill=(250, 210, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _message(vi: str, **fields) -> dict:
    return {"kind": "message", "duration": "2s", "text": {**TEXT, "vi": vi}, **fields}


def scenes(picture: str) -> dict[str, tuple[dict | Playlist, float]]:
    """name -> (playlist document, or the player's own playlist, seconds after it starts)."""
    one = lambda item: {"name": "g", "items": [item]}
    image = {"kind": "image", "asset": picture, "fit": "cover", "caption": CAPTION}
    found = {
        "message": (one(_message("Chào mừng quý khách")), 1.0),
        "image-caption": (one(image), 1.0),
        "ticker-1s": (one(TICKER), 1.0),
        "ticker-6s": (one(TICKER), 6.0),
        "clock": (one({"kind": "clock"}), 0.0),
        "standby": (one({"kind": "standby"}), 0.0),
    }
    for category in ("notice", "info", "welcome", "warning"):
        card = {**_message("Cán bộ cửa khẩu kiểm tra hộ chiếu"), "template": "card",
                "category": category}
        if category == "welcome":
            card["logo"] = picture
        found[f"card-{category}"] = (one(card), 1.0)
    found["emergency"] = (emergency_playlist(EMERGENCY), 1.0)
    for kind in ("cut", "crossfade", "slide-left", "slide-up", "wipe"):
        second = {**image, "duration": "2s", "transition": {"kind": kind, "duration": "1s"}}
        found[f"transition-{kind}"] = ({"name": "g", "items": [_message("Một"), second]}, 2.5)
    return found


def render(name: str, assets: Path, fonts) -> Image.Image:
    picture = assets / "picture.png"
    if not picture.exists():
        picture.write_bytes(_picture_bytes())
    document, at = scenes("picture.png")[name]
    compositor = Compositor(SIZE, fonts, lambda ref: assets / ref)
    playlist = document if isinstance(document, Playlist) else Playlist.model_validate(document)
    stage = Stage(compositor, playlist)
    stage.start(0.0)
    stage.render(at, NOW)
    return Image.frombytes("RGB", SIZE, pygame.image.tobytes(compositor.frame, "RGB"))


def difference(frame: Image.Image, reference: Image.Image) -> tuple[float, float]:
    """(mean absolute difference in levels, share of pixels off by more than FAR_LEVELS)."""
    diff = ImageChops.difference(frame, reference)
    histogram = diff.histogram()
    channels = [histogram[i * 256:(i + 1) * 256] for i in range(3)]
    pixels = SIZE[0] * SIZE[1]
    mean = sum(level * count for ch in channels for level, count in enumerate(ch)) / (3 * pixels)
    far = diff.convert("L").point(lambda v: 255 if v > FAR_LEVELS else 0).histogram()[255]
    return mean, far / pixels


@pytest.mark.parametrize("name", list(scenes("picture.png")))
def test_frame_matches_its_golden_reference(name, tmp_path, fonts):
    reference_path = GOLDEN / f"{name}.png"
    assert reference_path.exists(), f"no reference {reference_path}; run: python -m tests.test_golden"
    frame = render(name, tmp_path, fonts)
    reference = Image.open(reference_path).convert("RGB")
    mean, far = difference(frame, reference)
    if mean > MEAN_LEVELS or far > FAR_SHARE:
        frame.save(tmp_path / f"{name}.actual.png")
    assert mean <= MEAN_LEVELS and far <= FAR_SHARE, (
        f"{name}: mean difference {mean:.2f} levels, {far:.1%} of pixels far off; "
        f"see {tmp_path / (name + '.actual.png')}")


def test_the_tolerance_catches_a_real_change(tmp_path, fonts):
    """Guard the guard: a frame with the text moved does not pass as the message golden."""
    frame = render("message", tmp_path, fonts)
    moved = ImageChops.offset(frame, 0, 6)
    mean, far = difference(moved, Image.open(GOLDEN / "message.png").convert("RGB"))
    assert mean > MEAN_LEVELS or far > FAR_SHARE


def regenerate() -> None:
    import tempfile

    from signage.render.fonts import FontBook

    fonts = FontBook()
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in scenes("picture.png"):
            render(name, Path(tmp), fonts).save(GOLDEN / f"{name}.png", optimize=True)
            print(f"wrote {GOLDEN / name}.png")


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["--regen"]):
        sys.exit("usage: python -m tests.test_golden [--regen]")
    regenerate()
