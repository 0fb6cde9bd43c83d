"""Typography for distance, measured from the pixels of whole frames: the Han floor and the
bold weight for message, caption, clock and ticker at three panel sizes, the 5 % safe
margins, and the three-quarter rule's basis as a site setting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pygame
import pytest
from PIL import Image

from signage.content.models import Playlist, TickerItem
from signage.errors import SignageError
from signage.render import clockface
from signage.render.checks import check_playlist
from signage.render.compositor import Compositor
from signage.render.fonts import BOLD_BELOW_PX, FontBook
from signage.render.runs import measure
from signage.render.stage import Stage
from signage.render.text import LEGAL_MAX_RATIO, foreign_sizes, reference_heights
from signage.render.ticker import ticker_rows
from signage.settings import DEFAULT_MIN_CJK_PX, Settings
from tests.pixels import bands

PANELS = [(384, 192), (768, 384), (1920, 1080)]
NOW = dt.datetime(2026, 12, 2, 3, 10, tzinfo=dt.timezone.utc)
HAN = {"vi": "Xin chào", "en": "Hello", "zh": "中"}   # one 中: its box is the glyph's
TICKER_RECT = [0, "70%", "100%", "30%"]
REGULAR_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def frame(playlist: dict, panel, fonts, tmp_path: Path, at: float = 1.0) -> pygame.Surface:
    dark = tmp_path / "dark.png"
    Image.new("RGB", (64, 32), (10, 20, 10)).save(dark)
    compositor = Compositor(panel, fonts, lambda ref: dark)
    stage = Stage(compositor, Playlist.model_validate(playlist))
    stage.start(0.0)
    stage.render(at, NOW)
    return compositor.frame.copy()


def lit_rows(surface: pygame.Surface, rect: pygame.Rect, level: int = 128) -> list[int]:
    """Rows of `rect` with a pixel whose every channel is above `level` (white text on the
    dark backdrops, half lit or more: how reference_heights counts)."""
    part = surface.subsurface(rect.clip(surface.get_rect()))
    mask = pygame.mask.from_threshold(part, (255, 255, 255), (255 - level,) * 3 + (255,))
    return sorted({rect.top + y for x in range(mask.get_size()[0])
                   for y in range(mask.get_size()[1]) if mask.get_at((x, y))})


def coverage(surface: pygame.Surface, rect: pygame.Rect) -> float:
    """Share of the glyph box's pixels that are half lit or more: the stroke weight."""
    rows = lit_rows(surface, rect)
    part = surface.subsurface(rect)
    mask = pygame.mask.from_threshold(part, (255, 255, 255), (127, 127, 127, 255))
    height = rows[-1] - rows[0] + 1
    return mask.count() / (height * height)


def regular_coverage(size: int) -> float:
    """The same share for 中 drawn by the Regular face, for comparison."""
    font = pygame.freetype.Font(REGULAR_CJK, size, font_index=2)
    surface, _ = font.render("中", (255, 255, 255), (0, 0, 0), size=size)
    return coverage(surface, surface.get_rect())


# --- where each kind draws its 中 ------------------------------------------------------------


def message_han(panel, fonts, tmp_path):
    shot = frame({"name": "p", "items": [{"kind": "message", "text": HAN}]}, panel, fonts, tmp_path)
    top, bottom = bands(lit_rows(shot, shot.get_rect()))[-1]   # zh is the lowest line
    return shot, pygame.Rect(0, top, panel[0], bottom - top)


def caption_han(panel, fonts, tmp_path):
    item = {"kind": "image", "asset": "dark.png", "caption": HAN}
    shot = frame({"name": "p", "items": [item]}, panel, fonts, tmp_path)
    top, bottom = bands(lit_rows(shot, shot.get_rect()))[-1]
    return shot, pygame.Rect(0, top, panel[0], bottom - top)


def clock_han(panel, fonts, tmp_path):
    """The 中 of 中国 in China's cell label (the second line of the second cell)."""
    shot = frame({"name": "p", "items": [{"kind": "clock"}]}, panel, fonts, tmp_path)
    layout = clockface.clock_layout(fonts, ("Asia/Ho_Chi_Minh", "Asia/Shanghai"), panel)
    cell, line = layout.cells[1], layout.lines[1]
    runs = clockface.label_lines(clockface.zone_label("Asia/Shanghai"), layout.label_sizes)[1]
    left = cell.x + line.x + (line.width - measure(fonts, runs).width) // 2
    start = left + measure(fonts, runs[:2]).width
    advance = measure(fonts, [("zh", "中", layout.zh_size)]).width
    top = cell.y + line.top - 2
    return shot, pygame.Rect(start, top, advance, line.bottom - line.top + 4)


def ticker_han(panel, fonts, tmp_path):
    """The 中 on the ticker's lower row, once the crawl has brought it to x = 0."""
    item = {"kind": "ticker", "speed": 10, "separator": "-", "text": HAN}
    playlist = {"name": "p", "layout": [{"zone": "t", "rect": TICKER_RECT, "items": [item]}]}
    shot = frame(playlist, panel, fonts, tmp_path, at=panel[0] / 10)  # the cycle starts at x 0
    zone_top = round(panel[1] * 0.7)
    rows = ticker_rows(fonts, TickerItem.model_validate(item), panel[1] - zone_top)
    start = measure(fonts, rows.lower[:2]).width
    end = measure(fonts, rows.lower[:3]).width
    return shot, pygame.Rect(start, zone_top, end - start, panel[1] - zone_top)


KINDS = {"message": message_han, "caption": caption_han, "clock": clock_han, "ticker": ticker_han}


def documents(kind: str) -> dict:
    item = {"message": {"kind": "message", "text": HAN},
            "caption": {"kind": "image", "asset": "dark.png", "caption": HAN},
            "clock": {"kind": "clock"},
            "ticker": {"kind": "ticker", "text": HAN}}[kind]
    if kind == "ticker":
        return {"name": "p", "layout": [{"zone": "t", "rect": TICKER_RECT, "items": [item]}]}
    return {"name": "p", "items": [item]}


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: f"{p[0]}x{p[1]}")
@pytest.mark.parametrize("kind", list(KINDS))
def test_han_is_drawn_at_least_16_px_and_bold_or_refused_at_the_door(kind, panel, fonts, tmp_path):
    """What the door lets through draws 中 at least 16 px tall in a bold weight; what it
    refuses is refused for its Chinese. Only a caption on the smallest panel is refused."""
    errors = check_playlist(Playlist.model_validate(documents(kind)), fonts, panel).errors
    if errors:
        assert (kind, panel) == ("caption", (384, 192))
        assert {e.params.get("lang") for e in errors} >= {"zh"}
        assert all(e.code == "below_floor" for e in errors)
        return
    shot, box = KINDS[kind](panel, fonts, tmp_path)
    rows = lit_rows(shot, box)
    drawn = rows[-1] - rows[0] + 1
    assert drawn >= DEFAULT_MIN_CJK_PX, f"中 drawn {drawn} px tall"
    glyph_box = pygame.Rect(box.left, rows[0], box.width, drawn)
    # measured against the Regular face at the size that draws 中 as tall
    size = next(s for s in range(8, 600) if fonts.ink_height("zh", s, threshold=127) >= drawn)
    if size < BOLD_BELOW_PX:
        assert coverage(shot, glyph_box) >= 1.15 * regular_coverage(size)


def test_the_default_faces_are_bold_and_a_regular_face_is_emboldened_below_24_px():
    book = FontBook({"zh": f"{REGULAR_CJK}:2"})
    assert not book.faces["zh"].bold and FontBook().faces["zh"].bold
    plain = pygame.freetype.Font(REGULAR_CJK, 20, font_index=2)
    for size, heavier in ((20, True), (30, False)):
        ours, _ = book.face_font(book.faces["zh"], size).render("中", (255, 255, 255), size=size)
        theirs, _ = plain.render("中", (255, 255, 255), size=size)
        count = lambda s: pygame.mask.from_surface(s, 127).count()
        assert (count(ours) > 1.15 * count(theirs)) is heavier


# --- safe margins ------------------------------------------------------------------------


LONG = {"vi": "Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy, Hà Giang, Việt Nam",
        "en": "Welcome to Thanh Thuy International Border Gate, Ha Giang, Vietnam",
        "zh": "欢迎来到越南河江清水国际口岸"}


@pytest.mark.parametrize("item", [
    {"kind": "message", "text": LONG},
    {"kind": "image", "asset": "dark.png", "caption": LONG},
    {"kind": "clock", "zones": ["Asia/Ho_Chi_Minh", "Asia/Shanghai", "Asia/Bangkok"]},
    {"kind": "message", "template": "card", "category": "notice", "text": LONG},
], ids=["message", "caption", "clock", "card"])
def test_no_text_within_5_percent_of_the_edges(item, fonts, tmp_path):
    panel = (768, 384)
    shot = frame({"name": "p", "items": [item]}, panel, fonts, tmp_path)
    margin = round(0.05 * min(panel))
    inner = pygame.Rect(margin, margin, panel[0] - 2 * margin, panel[1] - 2 * margin)
    mask = pygame.mask.from_threshold(shot, (255, 255, 255), (95, 95, 95, 255))
    lit = [(x, y) for x in range(panel[0]) for y in range(panel[1]) if mask.get_at((x, y))]
    assert lit, "nothing drawn"
    outside = [p for p in lit if not inner.collidepoint(p)]
    assert outside == []
    # and the text does use the room: it reaches within a few pixels of the margin
    xs = [x for x, _ in lit]
    assert min(xs) - margin < 0.2 * panel[0]


# --- the rule's basis ---------------------------------------------------------------------


def test_the_han_floor_is_16_px_and_the_basis_is_a_setting():
    settings = Settings.from_env({})
    assert settings.min_cjk_px == 16 and "basis" not in settings.fonts
    assert Settings.from_env({"SIGNAGE_FOREIGN_SIZE_BASIS": "size"}).fonts == {"basis": "size"}
    with pytest.raises(SignageError, match="SIGNAGE_FOREIGN_SIZE_BASIS='em': write glyph"):
        Settings.from_env({"SIGNAGE_FOREIGN_SIZE_BASIS": "em"})


@pytest.mark.parametrize("vi_size", [20, 32, 48, 96])
def test_the_glyph_basis_holds_drawn_heights_and_the_size_basis_font_sizes(fonts, vi_size):
    en, zh = foreign_sizes(fonts, vi_size)
    vi_h = fonts.ink_height("vi", vi_size, threshold=254)
    assert fonts.ink_height("en", en) <= LEGAL_MAX_RATIO * vi_h
    assert fonts.ink_height("zh", zh) <= LEGAL_MAX_RATIO * vi_h
    # all the room the rule allows: one size more would break it
    assert fonts.ink_height("zh", zh + 1) > LEGAL_MAX_RATIO * vi_h or zh == vi_size * 3 // 4
    by_size = FontBook({"basis": "size"})
    assert foreign_sizes(by_size, vi_size) == (vi_size * 3 // 4, vi_size * 3 // 4)
    assert reference_heights(by_size, {"zh": vi_size * 3 // 4})["zh"] > \
        reference_heights(fonts, {"zh": zh})["zh"]

