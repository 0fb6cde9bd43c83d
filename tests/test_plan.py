"""Seeing the plan: the day's table and the week's picture of a gate schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image

from signage.render import weekchart
from signage.render.weekchart import (
    HEADER,
    LEFT,
    OFF_FILL,
    OFF_HATCH,
    WIDTH,
    draw_week,
    playlist_colors,
    strip_point,
)
from signage.schedule.plan import day_label, day_timeline, format_day
from signage.schedule.rules import Schedule

GATE = {
    "default": "welcome",
    "rules": [
        {"name": "night-hours", "playlist": "night", "time": "22:00-06:00"},
        {"name": "opening-hours", "playlist": "opening-hours", "time": "06:30-08:00",
         "weekdays": ["mon", "tue", "wed", "thu", "fri"]},
        {"name": "customs-campaign", "playlist": "customs", "time": "09:00-17:00",
         "dates": {"from": "2027-02-01", "to": "2027-02-14"}, "priority": 5},
        {"name": "noon-news", "playlist": "news", "cron": "0 12 * * sat,sun", "for": "30m",
         "priority": 10},
    ],
    "power": [{"time": "01:00-05:00"}],
    "brightness": {"day": 90, "night": 15, "night_cap": {"level": 10, "hours": "23:00-05:00"}},
}
SATURDAY = dt.date(2027, 2, 6)


@pytest.fixture
def gate() -> Schedule:
    return Schedule.model_validate(GATE)


def test_the_day_text_lists_what_plays_when_with_power_and_brightness(gate):
    assert format_day(gate, SATURDAY).splitlines() == [
        "T7 06/02/2027 (Saturday)  Asia/Ho_Chi_Minh  22.90N 104.85E",
        "sun: dawn 06:14  sunrise 06:38  sunset 17:51  dusk 18:14",
        "from   to     playlist             rule                 power  brightness",
        "00:00  01:00  night                night-hours          on     10%",
        "01:00  05:00  night                night-hours          OFF    -",
        "05:00  06:00  night                night-hours          on     15%",
        "06:00  09:00  welcome              default              on     15% (15-90%)",
        "09:00  12:00  customs              customs-campaign     on     90%",
        "12:00  12:30  news                 noon-news            on     90%",
        "12:30  17:00  customs              customs-campaign     on     90%",
        "17:00  22:00  welcome              default              on     90% (15-90%)",
        "22:00  24:00  night                night-hours          on     15% (10-15%)",
    ]


def test_rows_cover_the_day_without_gaps(gate):
    rows = day_timeline(gate, dt.date(2027, 2, 8))
    zone = gate.zone
    assert rows[0].start == dt.datetime(2027, 2, 8, tzinfo=zone)
    assert rows[-1].end == dt.datetime(2027, 2, 9, tzinfo=zone)
    assert all(a.end == b.start for a, b in zip(rows, rows[1:]))
    assert all((a.playlist, a.power_on) != (b.playlist, b.power_on) for a, b in zip(rows, rows[1:]))
    opening = next(row for row in rows if row.playlist == "opening-hours")
    assert (opening.start.hour, opening.start.minute, opening.end.hour) == (6, 30, 8)
    assert opening.brightness_min < opening.brightness_max == 90  # the sun rises meanwhile


def test_a_schedule_without_brightness_shows_none():
    schedule = Schedule.model_validate({"default": "welcome"})
    text = format_day(schedule, SATURDAY)
    assert text.splitlines()[2].split() == ["00:00", "24:00", "welcome", "default", "on", "-"]


def test_a_daylight_saving_day_is_read_in_wall_time():
    schedule = Schedule.model_validate({
        "default": "welcome", "timezone": "Europe/Berlin",
        "rules": [{"name": "morning", "playlist": "news", "time": "04:00-09:00"}],
    })
    rows = day_timeline(schedule, dt.date(2027, 3, 28))  # 02:00 becomes 03:00
    lines = format_day(schedule, dt.date(2027, 3, 28)).splitlines()[2:]
    assert [line.split()[:3] for line in lines] == [
        ["00:00", "04:00", "welcome"], ["04:00", "09:00", "news"], ["09:00", "24:00", "welcome"],
    ]
    utc = dt.timezone.utc
    assert rows[-1].end.astimezone(utc) - rows[0].start.astimezone(utc) == dt.timedelta(hours=23)


def test_a_polar_site_says_the_sun_does_not_rise():
    schedule = Schedule.model_validate({
        "default": "welcome", "timezone": "Arctic/Longyearbyen",
        "site": {"latitude": 78.2, "longitude": -15.6}, "brightness": {"day": 90, "night": 15},
    })
    lines = format_day(schedule, dt.date(2027, 12, 21)).splitlines()
    assert lines[0].endswith("78.20N 15.60W")
    assert lines[1] == "sun: no sunrise or sunset on this day (polar day or night)"
    assert lines[3].split() == ["00:00", "24:00", "welcome", "default", "on", "15%"]


def test_day_labels_are_vietnamese_then_english():
    assert day_label(SATURDAY) == "T7 06/02/2027 (Saturday)"
    assert day_label(dt.date(2027, 2, 7)) == "CN 07/02/2027 (Sunday)"
    assert day_label(dt.date(2027, 2, 8)) == "T2 08/02/2027 (Monday)"


def test_the_week_picture_shows_each_playlist_in_its_colour(gate, tmp_path):
    path = draw_week(gate, SATURDAY, tmp_path / "week.png")
    image = Image.open(path).convert("RGB")
    assert image.size == (WIDTH, 840) == (1664, 840)  # 7 strips and one row of legend
    colors = playlist_colors(gate.playlists())
    expected = [  # (day after Saturday, minute of the day, playlist)
        (0, 10 * 60, "customs"), (0, 12 * 60 + 15, "news"), (0, 19 * 60, "welcome"),
        (0, 23 * 60, "night"), (2, 7 * 60, "opening-hours"), (1, 7 * 60, "welcome"),
        (6, 10 * 60, "customs"),
    ]
    for day, minute, name in expected:
        assert image.getpixel(strip_point(day, minute)) == colors[name], (day, minute, name)


def test_power_off_hours_are_dark_and_hatched(gate, tmp_path):
    image = Image.open(draw_week(gate, SATURDAY, tmp_path / "week.png")).convert("RGB")
    x, y = strip_point(3, 3 * 60)
    row = {image.getpixel((x + dx, y)) for dx in range(40)}
    assert row <= {OFF_FILL, OFF_HATCH} | _blends(OFF_FILL, OFF_HATCH)
    assert OFF_FILL in row and OFF_HATCH in row


def test_the_brightness_curve_is_high_at_noon_and_low_at_night(gate, tmp_path):
    image = Image.open(draw_week(gate, SATURDAY, tmp_path / "week.png")).convert("RGB")

    def filled_height(minute: int) -> int:
        x = LEFT + minute
        top = HEADER + weekchart.BAR_H + 4
        column = [image.getpixel((x, top + dy)) for dy in range(weekchart.CURVE_H + 1)]
        return sum(pixel in (weekchart.CURVE_FILL, weekchart.CURVE_LINE) for pixel in column)

    assert filled_height(12 * 60) > 0.8 * weekchart.CURVE_H
    assert filled_height(2 * 60) < 0.2 * weekchart.CURVE_H


def test_the_picture_is_drawn_with_pillows_font_when_noto_is_missing(gate, tmp_path, monkeypatch):
    monkeypatch.setattr(weekchart, "_font_file", lambda bold: None)
    weekchart._font.cache_clear()
    try:
        path = draw_week(gate, SATURDAY, tmp_path / "week.png")
        assert Image.open(path).size[0] == WIDTH
    finally:
        weekchart._font.cache_clear()


def test_playlist_colours_are_stable_and_distinct():
    names = [f"playlist-{i}" for i in range(12)]
    first = playlist_colors(names)
    assert playlist_colors(reversed(names)) == first
    assert len(set(first.values())) == 12


def _blends(a, b):
    """Anti-aliased edge pixels between two colours."""
    return {tuple(round(x + (y - x) * t / 8) for x, y in zip(a, b)) for t in range(9)}
