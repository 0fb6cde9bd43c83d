"""Screenshots of every sample playlist's items and layouts, every card design and the
emergency card, at one panel size (768x384 unless told), to look at before a release.

    .venv/bin/python tools/screenshots.py [--size 768x384] [--out screenshots]
    (or: make screenshots)

Writes one PNG per item of a full-panel playlist (once it has finished coming in), one per
layout playlist (8 s in), one per card category, the emergency card, and contact.png with
all of them on one sheet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pygame  # noqa: E402
from PIL import Image  # noqa: E402

from signage.content.models import Message, Playlist  # noqa: E402
from signage.player.emergency import emergency_playlist  # noqa: E402
from signage.render.cards import CATEGORIES  # noqa: E402
from signage.render.compositor import Compositor  # noqa: E402
from signage.render.fonts import FontBook  # noqa: E402
from signage.schedule.state import Emergency  # noqa: E402
from signage.services.importer import check_asset_files, read_playlist  # noqa: E402
from signage.services.preview import frame_at  # noqa: E402

NOW = dt.datetime(2026, 12, 2, 3, 10, tzinfo=dt.timezone.utc)   # 10:10 in Vietnam
NOTICE = Message(vi="Cửa khẩu tạm đóng do mưa lũ. Vui lòng quay lại sau.",
                 en="The border gate is closed because of flooding. Please come back later.",
                 zh="口岸因洪水暂时关闭，请稍后再来。")
SAMPLE = Message(vi="Cán bộ cửa khẩu kiểm tra hộ chiếu tại quầy số 3",
                 en="Border officers check passports at counter 3",
                 zh="边检人员在3号柜台查验护照")


def shots(size, fonts) -> list[tuple[str, Image.Image]]:
    found = []
    for source in sorted((ROOT / "playlists").glob("*.yaml")):
        if source.name == "schedule.yaml":
            continue
        document, playlist = read_playlist(source)
        files = check_asset_files(source, document, playlist)
        for label, at in moments(playlist):
            found.append((f"{source.stem}-{label}", render(playlist, at, size, fonts, files.get)))
    for category in CATEGORIES:
        card = {"kind": "message", "template": "card", "category": category, "text": SAMPLE}
        playlist = Playlist.model_validate({"name": "card", "items": [card]})
        found.append((f"card-{category}", render(playlist, 1.0, size, fonts, lambda ref: None)))
    notice = Emergency(id=1, message=NOTICE, priority=100, starts_at=NOW,
                       expires_at=NOW + dt.timedelta(hours=2), created_by="demo", created_at=NOW,
                       cancelled_at=None, cancelled_by=None)
    found.append(("emergency", render(emergency_playlist(notice), 1.0, size, fonts, lambda ref: None)))
    return found


def moments(playlist: Playlist) -> list[tuple[str, float]]:
    """(label, seconds in) for each item once it has come in, or 8 s into a layout (a
    ticker has crawled most of the way across by then)."""
    if playlist.layout is not None:
        return [("layout", 8.0)]
    found, start = [], 0.0
    for n, item in enumerate(playlist.items, 1):
        transition = item.transition or playlist.transition
        settled = 0.0 if n == 1 else transition.seconds
        found.append((f"{n}-{item.kind}", start + min(settled + 3.0, item.duration - 0.01)))
        start += item.duration
    return found


def render(playlist, at, size, fonts, asset_path) -> Image.Image:
    compositor = Compositor(size, fonts, asset_path)
    frame = frame_at(compositor, playlist, at, NOW)
    return Image.frombytes("RGB", size, pygame.image.tobytes(frame, "RGB"))


def contact_sheet(found, size, columns=3) -> Image.Image:
    gap = 8
    rows = (len(found) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * (size[0] + gap), rows * (size[1] + gap)), (255, 0, 255))
    for n, (_name, image) in enumerate(found):
        sheet.paste(image, ((n % columns) * (size[0] + gap), (n // columns) * (size[1] + gap)))
    return sheet


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="768x384")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args(argv)
    size = tuple(int(n) for n in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    found = shots(size, FontBook())
    for name, image in found:
        image.save(args.out / f"{name}.png", optimize=True)
    contact_sheet(found, size).save(args.out / "contact.png", optimize=True)
    print(f"wrote {len(found)} screenshots and contact.png to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
