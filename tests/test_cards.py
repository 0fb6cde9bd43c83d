"""Designed cards and the emergency card: what a passer-by sees, from the pixels."""

from __future__ import annotations

import datetime as dt

import pygame
import pytest
from PIL import Image

from signage.content.documents import DocumentError, parse_document, validate_document
from signage.content.models import Message, Playlist
from signage.player.emergency import emergency_playlist
from signage.render import cards
from signage.render.checks import check_playlist
from signage.render.compositor import Compositor
from signage.render.stage import Stage
from signage.render.text import LEGAL_MAX_RATIO
from signage.schedule.state import Emergency

PANEL = (768, 384)
NOW = dt.datetime(2026, 12, 2, 3, 10, tzinfo=dt.timezone.utc)
TEXT = {"vi": "Cán bộ cửa khẩu kiểm tra hộ chiếu tại quầy số 3",
        "en": "Border officers check passports at counter 3", "zh": "边检人员在3号柜台查验护照"}


def draw(playlist: Playlist, fonts, asset_path=lambda ref: None) -> pygame.Surface:
    compositor = Compositor(PANEL, fonts, asset_path)
    stage = Stage(compositor, playlist)
    stage.start(0.0)
    stage.render(1.0, NOW)
    return compositor.frame.copy()


def card(category="notice", **fields) -> Playlist:
    item = {"kind": "message", "template": "card", "category": category, "text": TEXT, **fields}
    return Playlist.model_validate({"name": "c", "items": [item]})


def emergency() -> Playlist:
    notice = Emergency(id=7, message=Message(vi="Cửa khẩu tạm đóng", en="The gate is closed",
                                             zh="口岸暂时关闭"),
                       priority=100, starts_at=NOW, expires_at=NOW + dt.timedelta(hours=2),
                       created_by="a", created_at=NOW, cancelled_at=None, cancelled_by=None)
    return emergency_playlist(notice)


def share_of(surface: pygame.Surface, rect: pygame.Rect, color, tolerance=12) -> float:
    part = surface.subsurface(rect)
    mask = pygame.mask.from_threshold(part, color, (tolerance, tolerance, tolerance, 255))
    return mask.count() / (rect.width * rect.height)


@pytest.mark.parametrize("category", list(cards.CATEGORIES))
def test_a_card_has_a_header_band_in_its_accent_colour_with_its_label(category, fonts):
    frame = draw(card(category), fonts)
    layout = cards.card_layout(fonts, "card", category, PANEL, False)
    accent = cards.CATEGORIES[category].accent
    assert share_of(frame, layout.band, accent) > 0.6          # mostly the accent colour
    assert share_of(frame, layout.body, accent) < 0.01         # and only the band
    # the label is the category's, Vietnamese above, English and Chinese below and smaller
    vi, en, zh = cards.CATEGORIES[category].label
    assert layout.label.upper[0][:2] == ("vi", vi)
    assert [run[:2] for run in layout.label.lower if run[1].strip() != "·"] == [("en", en), ("zh", zh)]
    sizes = cards._sizes(layout.label)
    assert sizes["en"] <= LEGAL_MAX_RATIO * sizes["vi"] and sizes["zh"] <= LEGAL_MAX_RATIO * sizes["vi"]
    label_ink = text_rows(frame, layout.label_box, cards.CATEGORIES[category].text)
    assert label_ink[0] >= layout.band.top and label_ink[1] <= layout.band.bottom


def text_rows(frame, rect, color) -> tuple[int, int]:
    mask = pygame.mask.from_threshold(frame.subsurface(rect), color, (40, 40, 40, 255))
    rows = [y for y in range(rect.height) if any(mask.get_at((x, y)) for x in range(rect.width))]
    return rect.top + rows[0], rect.top + rows[-1] + 1


def test_the_categories_look_different(fonts):
    frames = {c: pygame.image.tobytes(draw(card(c), fonts), "RGB") for c in cards.CATEGORIES}
    assert len(set(frames.values())) == len(cards.CATEGORIES)


def test_a_logo_from_the_library_is_drawn_in_the_band(fonts, tmp_path):
    logo = tmp_path / "logo.png"
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    image.paste((250, 20, 200, 255), (5, 5, 35, 35))   # magenta square, transparent round it
    image.save(logo)
    frame = draw(card(logo="logo.png"), fonts, lambda ref: logo)
    layout = cards.card_layout(fonts, "card", "notice", PANEL, True)
    assert share_of(frame, layout.logo, (250, 20, 200)) > 0.4
    corner = pygame.Rect(layout.logo.topleft, (3, 3))
    assert share_of(frame, corner, cards.CATEGORIES["notice"].accent) == 1.0  # transparency kept
    assert card(logo="logo.png").asset_refs() == {"logo.png"}


def test_the_emergency_card_is_red_and_says_so_in_three_languages(fonts):
    playlist = emergency()
    (item,) = playlist.items
    assert item.template == "emergency"
    frame = draw(playlist, fonts)
    layout = cards.card_layout(fonts, "emergency", "notice", PANEL, False)
    assert share_of(frame, layout.band, cards.EMERGENCY.accent) > 0.6
    assert layout.label.upper[0][1] == "KHẨN CẤP"
    assert [run[1] for run in layout.label.lower if run[1].strip() != "·"] == ["EMERGENCY", "紧急"]
    # a red frame all round, and the body dark red, not the ordinary blue backdrop
    for edge in (pygame.Rect(0, PANEL[1] - 2, PANEL[0], 2), pygame.Rect(0, 0, 2, PANEL[1])):
        assert share_of(frame, edge, cards.EMERGENCY.accent) == 1.0
    assert share_of(frame, layout.body, cards.EMERGENCY_BODY) > 0.5
    # the notice itself in amber
    assert share_of(frame, layout.body, (255, 210, 0), tolerance=30) > 0.01


def test_the_emergency_design_cannot_be_chosen_in_a_playlist():
    document = parse_document("name: p\nitems:\n  - kind: message\n    template: emergency\n"
                              "    text: {vi: Một, en: One, zh: 一}\n")
    with pytest.raises(DocumentError) as caught:
        validate_document(document, Playlist)
    (problem,) = caught.value.problems
    assert problem.path == "items[0].template"
    assert "only for emergency notices" in problem.reason


def test_the_door_checks_measure_the_card_body_and_header(fonts):
    assert check_playlist(card(), fonts, PANEL).errors == []
    small = check_playlist(card(), fonts, (384, 192)).errors
    assert {p.path for p in small} >= {"items[0].category", "items[0].text.zh"}
    assert any("card's header" in p.reason and "below the 16 px floor" in p.reason for p in small)
