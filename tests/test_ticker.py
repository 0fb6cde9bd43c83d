"""The ticker crawls vi, en, zh in order at its speed, loops seamlessly, and is a function of time."""

import pygame
import pytest

from signage.content.models import Playlist
from signage.render.runs import trilingual_runs
from signage.render.text import LEGAL_MAX_RATIO
from signage.render.ticker import TickerVisual

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


def test_languages_run_in_order_with_separators_under_the_three_quarter_rule(fonts):
    runs = trilingual_runs(fonts, ("vi text", "en text", "zh text"), 40, " • ", trailing=True)
    assert [(lang, text) for lang, text, _ in runs] == [
        ("vi", "vi text"), ("en", " • "), ("en", "en text"), ("en", " • "), ("zh", "zh text"),
        ("en", " • ")]
    sizes = {lang: size for lang, _, size in runs}
    assert sizes["en"] <= LEGAL_MAX_RATIO * 40 and sizes["zh"] <= LEGAL_MAX_RATIO * 40


def test_the_text_fills_the_strip_height_but_stays_inside_it(fonts):
    visual = TickerVisual(ticker(), (384, 96), fonts)
    assert visual.strip.get_height() == 96
    lit = pygame.mask.from_threshold(visual.strip, (255, 255, 255), (60, 60, 60, 255))
    rows = [r for rect in lit.get_bounding_rects() for r in (rect.top, rect.bottom)]
    assert min(rows) > 0 and max(rows) < 96 and max(rows) - min(rows) > 40


def test_style_colour_is_used(fonts):
    yellow = TickerVisual(ticker(style={"color": "#ffcc00"}), SIZE, fonts)
    lit = pygame.mask.from_threshold(yellow.strip, (255, 204, 0), (30, 30, 30, 255))
    assert lit.count() > 50
