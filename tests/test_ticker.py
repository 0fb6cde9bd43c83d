"""The ticker crawls vi, en, zh in order at its speed, loops seamlessly, and is a function of time."""

import pygame
import pytest

from signage.content.models import Playlist
from signage.render.runs import measure, two_rows
from signage.render.text import LEGAL_MAX_RATIO
from signage.render.ticker import TickerVisual
from tests.pixels import bands

SIZE = (384, 48)
TEXT = {"vi": "Chào mừng quý khách", "en": "Welcome", "zh": "欢迎光临"}


def ticker(**fields):
    data = {"kind": "ticker", "text": TEXT, "speed": 60, **fields}
    return Playlist.model_validate({"name": "x", "items": [data]}).items[0]


def raw(surface):
    return pygame.image.tobytes(surface, "RGBX")


@pytest.fixture
def visual(fonts):
    return TickerVisual(ticker(), SIZE, fonts)


def test_the_same_time_gives_the_same_frame(visual, fonts):
    again = TickerVisual(ticker(), SIZE, fonts)
    for t in (0.5, 3.25, 61.0):
        assert raw(visual.picture(t, None)) == raw(again.picture(t, None))
    assert raw(visual.picture(3.0, None)) != raw(visual.picture(3.5, None))


def test_text_enters_from_the_right_edge(visual):
    empty = raw(visual.picture(0.0, None))
    assert empty == raw(visual.lead)  # nothing has crawled in yet
    assert raw(visual.picture(1.0, None)) != empty


def test_it_crawls_left_at_its_speed(visual):
    t = (SIZE[0] + visual.period) / visual.speed + 0.5  # well into the looping phase
    before, after = visual.picture(t, None).copy(), visual.picture(t + 1.0, None).copy()
    shift = 60  # pixels per second
    for x in range(0, SIZE[0] - shift, 17):
        column_after = before.subsurface((x + shift, 0, 1, SIZE[1]))
        assert raw(after.subsurface((x, 0, 1, SIZE[1]))) == raw(column_after)


def test_the_loop_is_seamless(visual):
    t = (SIZE[0] + visual.period) / visual.speed + 0.25
    one_cycle_later = t + visual.period / visual.speed
    assert raw(visual.picture(t, None).copy()) == raw(visual.picture(one_cycle_later, None))


def test_vietnamese_rows_above_english_and_chinese_at_most_three_quarters(fonts):
    """art. 18(2): the foreign row is below the Vietnamese one and its type at most 3/4."""
    rows = two_rows(fonts, ("vi text", "en text", "zh text"), 40, " • ", trailing=" • ")
    assert [(lang, text) for lang, text, _ in rows.upper] == [("vi", "vi text • ")]
    assert [(lang, text) for lang, text, _ in rows.lower] == [
        ("en", "en text"), ("en", " • "), ("zh", "zh text"), ("en", " • ")]
    sizes = {lang: size for lang, _, size in rows.lower}
    assert sizes["en"] <= LEGAL_MAX_RATIO * 40 and sizes["zh"] <= LEGAL_MAX_RATIO * 40


def _bands(surface):
    """(first, last + 1) of each run of rows holding text-coloured pixels, top to bottom."""
    lit = pygame.mask.from_threshold(surface, (255, 255, 255), (100, 100, 100, 255))
    return bands({y for x in range(lit.get_size()[0]) for y in range(lit.get_size()[1])
                  if lit.get_at((x, y))})


@pytest.mark.parametrize("size", [(384, 48), (768, 84), (1920, 200)])
def test_pixels_vietnamese_on_top_foreign_below_and_drawn_smaller(fonts, size):
    """Two bands of lit rows: the Vietnamese H's on top, the English H's and 中 below,
    at most three quarters as tall (1 px for anti-aliasing)."""
    visual = TickerVisual(ticker(text={"vi": "HHHH", "en": "HH", "zh": "中中"}, separator="-"),
                          size, fonts)
    (upper_top, upper_bottom), (lower_top, _) = _bands(visual.strip)
    assert upper_bottom < lower_top
    lower = visual.rows.lower
    for start, end in ((0, _width(fonts, lower[:1])),                               # HH
                       (_width(fonts, lower[:2]), _width(fonts, lower[:3]))):      # 中中
        top, bottom = _bands(visual.strip.subsurface((start, 0, end - start, size[1])))[-1]
        assert top >= lower_top
        assert bottom - top <= LEGAL_MAX_RATIO * (upper_bottom - upper_top) + 1
    # and the rows hold what they should: the upper one ends where the Vietnamese does
    upper_width = _width(fonts, visual.rows.upper)
    assert visual.rows.upper[0][0] == "vi" and {r[0] for r in visual.rows.lower} == {"en", "zh"}
    assert upper_width < visual.period or upper_width == visual.period


def _width(fonts, runs):
    return measure(fonts, runs).width


def test_both_rows_share_one_period_so_the_loop_has_no_seam(fonts):
    long_vi = TickerVisual(ticker(text={**TEXT, "vi": "Chào mừng quý khách đến cửa khẩu"}), SIZE, fonts)
    widths = [_width(fonts, row) for row in (long_vi.rows.upper, long_vi.rows.lower)]
    assert long_vi.period == max(widths) and long_vi.strip.get_width() == long_vi.period


def test_the_text_fills_the_strip_height_but_keeps_a_5_percent_margin(fonts):
    visual = TickerVisual(ticker(), (384, 96), fonts)
    assert visual.strip.get_height() == 96
    lit = pygame.mask.from_threshold(visual.strip, (255, 255, 255), (60, 60, 60, 255))
    rows = [r for rect in lit.get_bounding_rects() for r in (rect.top, rect.bottom)]
    margin = round(0.05 * 96)
    assert min(rows) >= margin and max(rows) <= 96 - margin and max(rows) - min(rows) > 70


def test_style_colour_is_used(fonts):
    yellow = TickerVisual(ticker(style={"color": "#ffcc00"}), SIZE, fonts)
    lit = pygame.mask.from_threshold(yellow.strip, (255, 204, 0), (30, 30, 30, 255))
    assert lit.count() > 50
