"""The clock shows each zone's time and date, redrawn when the minute changes, with
labels that stay legible and keep the three-quarter rule in zones of any shape."""

import datetime as dt

import pygame
import pytest

from signage.content.models import Playlist
from signage.render.clockface import (ClockVisual, clock_layout, date_run, label_lines, label_sizes,
                                      local_date, zone_label)
from signage.render.runs import measure
from signage.render.text import LEGAL_MAX_RATIO, reference_heights

SIZE = (384, 96)
UTC = dt.timezone.utc


def clock_item(**fields):
    return Playlist.model_validate({"name": "x", "items": [{"kind": "clock", **fields}]}).items[0]


def raw(surface):
    return pygame.image.tobytes(surface, "RGBX")


@pytest.fixture
def visual(fonts):
    return ClockVisual(clock_item(), SIZE, fonts)


def test_the_picture_changes_with_the_minute_not_within_it(visual):
    at = dt.datetime(2026, 11, 26, 1, 2, 5, tzinfo=UTC)
    first = raw(visual.picture(0, at))
    assert raw(visual.picture(0, at + dt.timedelta(seconds=50))) == first
    assert visual.key(0, at) == visual.key(0, at + dt.timedelta(seconds=54))
    assert raw(visual.picture(0, at + dt.timedelta(seconds=55))) != first


def test_zones_show_their_own_time_side_by_side(visual):
    """Vietnam is an hour behind China, so the two halves differ in the time row."""
    picture = visual.picture(0, dt.datetime(2026, 11, 26, 1, 2, tzinfo=UTC))
    left = picture.subsurface((0, 0, SIZE[0] // 2, SIZE[1]))
    right = picture.subsurface((SIZE[0] // 2, 0, SIZE[0] // 2, SIZE[1]))
    assert raw(left) != raw(right)


def test_the_same_instant_looks_the_same_in_a_zone_of_the_same_offset(fonts):
    at = dt.datetime(2026, 11, 26, 1, 2, tzinfo=UTC)
    size = (192, 160)   # the lines are stacked and the height decides their size, not the names
    one = ClockVisual(clock_item(zones=["Asia/Bangkok"]), size, fonts)
    other = ClockVisual(clock_item(zones=["Asia/Vientiane"]), size, fonts)
    # the same time, different labels: only the label rows differ
    a, b = one.picture(0, at), other.picture(0, at)
    label_rows = one.layout.cells[0].y + one.layout.lines[2].top
    time_rows = (0, label_rows, size[0], size[1] - label_rows)
    assert raw(a.subsurface(time_rows)) == raw(b.subsurface(time_rows))
    assert raw(a) != raw(b)


def test_labels_name_the_country_in_three_languages():
    assert zone_label("Asia/Ho_Chi_Minh") == ("Việt Nam", "Vietnam", "越南")
    assert zone_label("Asia/Shanghai") == ("Trung Quốc", "China", "中国")
    assert zone_label("Europe/Paris") == ("Paris", "Paris", "Paris")


BORDER = ["Asia/Ho_Chi_Minh", "Asia/Shanghai"]
SHAPES = [(292, 300), (384, 192), (768, 96), (768, 384), (200, 384), (384, 96), (150, 80)]


def test_a_wide_strip_puts_the_zones_side_by_side(fonts):
    cells = clock_layout(fonts, tuple(BORDER), (768, 96)).cells
    assert cells[0].y == cells[1].y and cells[0].right <= cells[1].x


@pytest.mark.parametrize("size", [(292, 300), (200, 384)], ids=["square", "tall"])
def test_a_tall_or_square_zone_stacks_the_zones(fonts, size):
    cells = clock_layout(fonts, tuple(BORDER), size).cells
    assert cells[0].x == cells[1].x and cells[0].bottom <= cells[1].y


def test_the_gate_boards_clock_zone_draws_chinese_at_the_legibility_floor_or_above(fonts):
    """The clock beside the main zone of playlists/gate.yaml: 38% x 78% of 768x384."""
    heights = reference_heights(fonts, label_sizes(fonts, BORDER, (292, 300)))
    assert heights["zh"] >= 12 and heights["en"] >= 7


@pytest.mark.parametrize("size", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_vietnamese_comes_first_and_the_others_are_at_most_three_quarters(fonts, size):
    layout = clock_layout(fonts, tuple(BORDER), size)
    vi_line, foreign_line = layout.lines[:2]
    assert vi_line.bottom <= foreign_line.top or vi_line.x + vi_line.width <= foreign_line.x
    sizes = layout.label_sizes
    assert sizes["en"] <= LEGAL_MAX_RATIO * sizes["vi"]
    # inks as text.py's rule counts them: the Vietnamese H fully lit, the others any pixel
    vi_ink = fonts.ink_height("vi", sizes["vi"], threshold=254)
    assert fonts.ink_height("en", sizes["en"]) <= LEGAL_MAX_RATIO * vi_ink
    assert fonts.ink_height("zh", sizes["zh"]) <= LEGAL_MAX_RATIO * vi_ink


@pytest.mark.parametrize("zones", [BORDER, ["Asia/Phnom_Penh", "Asia/Seoul", "Europe/Paris"]],
                         ids=["border", "three"])
@pytest.mark.parametrize("size", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_line_stays_inside_its_cell(fonts, size, zones):
    layout = clock_layout(fonts, tuple(zones), size)
    for cell in layout.cells:
        assert pygame.Rect((0, 0), size).contains(cell)
        for line in layout.lines:
            assert 0 <= line.top <= line.baseline <= line.bottom <= cell.height
            assert 0 <= line.x and line.x + line.width <= cell.width
    widest = max(measure(fonts, label_lines(zone_label(z), layout.label_sizes)[1]).width
                 for z in zones)
    assert widest <= layout.lines[1].width


def test_the_reported_chinese_size_is_the_drawn_one(fonts):
    """Count the rows of the drawn '中' (of 中国) that are at least half lit: the height the
    door checks compare with the floor, from label_sizes, is what is on the panel."""
    size = (292, 300)
    picture = ClockVisual(clock_item(), size, fonts).picture(0, dt.datetime(2026, 11, 26, tzinfo=UTC))
    layout = clock_layout(fonts, tuple(BORDER), size)
    cell, line = layout.cells[1], layout.lines[1]   # China's names: "China / 中国"
    runs = label_lines(zone_label("Asia/Shanghai"), layout.label_sizes)[1]
    width = measure(fonts, runs).width
    pen = cell.x + line.x + (line.width - width) // 2 + measure(fonts, runs[:2]).width
    glyph = fonts.glyph("zh", layout.zh_size, "中")
    columns = range(pen + glyph.min_x, pen + glyph.max_x)
    background = picture.get_at((columns[0], cell.y + line.top))[0]
    half_lit = background + (255 - background) // 2
    rows = [y for y in range(cell.y + line.top, cell.y + line.bottom + 1)
            if any(picture.get_at((x, y))[0] >= half_lit for x in columns)]
    drawn = rows[-1] - rows[0] + 1
    assert abs(drawn - reference_heights(fonts, label_sizes(fonts, BORDER, size))["zh"]) <= 1


def test_dates_are_written_as_people_write_them_where_the_zone_is():
    day = dt.date(2026, 12, 2)
    assert local_date(day, "Asia/Ho_Chi_Minh") == ("en", "02/12/2026")
    assert local_date(day, "Europe/London") == ("en", "02/12/2026")
    assert local_date(day, "Asia/Shanghai") == ("zh", "2026年12月2日")


def test_the_chinese_date_is_drawn_and_keeps_the_three_quarter_rule(fonts):
    """China's cell shows 2026年12月2日 in the Chinese face at the Chinese label size; a
    different day changes the date row's pixels (it is drawn, not left from before)."""
    size = (768, 120)
    visual = ClockVisual(clock_item(zones=["Asia/Ho_Chi_Minh", "Asia/Shanghai"]), size, fonts)
    layout = visual.layout
    lang, text, run_size = date_run(dt.date(2026, 12, 2), "Asia/Shanghai", layout)
    assert (lang, text, run_size) == ("zh", "2026年12月2日", layout.zh_size)
    vi_h = fonts.ink_height("vi", layout.vi_size, threshold=254)
    assert fonts.ink_height("zh", run_size) <= LEGAL_MAX_RATIO * vi_h
    cell, line = layout.cells[1], layout.lines[3]
    rows = (cell.x, cell.y + line.top, cell.width, line.bottom - line.top)
    at = dt.datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    first = raw(visual.picture(0, at).subsurface(rows))
    later = raw(visual.picture(0, at + dt.timedelta(days=1)).subsurface(rows))
    assert first != later
