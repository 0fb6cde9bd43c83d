"""The clock shows each zone's time and date side by side, redrawn when the minute changes."""

import datetime as dt

import pygame
import pytest

from signage.models import Playlist
from signage.render.clockface import ClockVisual, zone_label

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
    one = ClockVisual(clock_item(zones=["Asia/Bangkok"]), SIZE, fonts)
    other = ClockVisual(clock_item(zones=["Asia/Vientiane"]), SIZE, fonts)
    # the same time, different labels: only the label rows differ
    a, b = one.picture(0, at), other.picture(0, at)
    label_rows = round(one.columns[0].y + one.rows[0] + one.rows[1])
    time_rows = (0, label_rows, SIZE[0], SIZE[1] - label_rows)
    assert raw(a.subsurface(time_rows)) == raw(b.subsurface(time_rows))
    assert raw(a) != raw(b)


def test_labels_name_the_country_in_three_languages():
    assert zone_label("Asia/Ho_Chi_Minh") == ("Việt Nam", "Vietnam", "越南")
    assert zone_label("Asia/Shanghai") == ("Trung Quốc", "China", "中国")
    assert zone_label("Europe/Paris") == ("Paris", "Paris", "Paris")
