"""The console's SVG line charts: valid XML, accessible, gaps where data is missing, local
HH:MM ticks, every text escaped, no inline style (the console's CSP forbids it)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest

from signage.console.charts import ChartWords, Threshold, line_chart

SVG = "{http://www.w3.org/2000/svg}"
GATE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.timezone.utc)  # 11:00 at the gate
DAY = dict(start=NOW - dt.timedelta(hours=24), end=NOW, zone=GATE)


def minutes(values, end=NOW) -> list[tuple[dt.datetime, float | None]]:
    """One point a minute, the last at `end`."""
    return [(end - dt.timedelta(minutes=len(values) - 1 - i), v) for i, v in enumerate(values)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def runs(root: ET.Element) -> list[list[tuple[float, float]]]:
    """The line's runs: each M...L... piece of the path as its points; a dot is a run of one."""
    found = []
    for path in root.iter(f"{SVG}path"):
        for piece in path.get("d").split("M")[1:]:
            found.append([tuple(map(float, p.split())) for p in piece.split("L")])
    found += [[(float(c.get("cx")), float(c.get("cy")))] for c in root.iter(f"{SVG}circle")]
    return found


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text for g in root.iter(f"{SVG}g") if g.get("class") == cls
            for t in g.iter(f"{SVG}text")]


def test_the_chart_is_an_image_with_a_name_and_says_latest_lowest_and_highest():
    svg = line_chart(minutes([29.5, 30.0, 21.25, 28.0]), width=600, height=200,
                     y_label="Frame rate", unit="fps", **DAY)
    root = parse(svg)

    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Frame rate (fps)"
    assert desc.text == "Latest 28.0 fps at 11:00. Lowest 21.2 fps, highest 30.0 fps."


def test_words_come_from_the_caller_in_its_language():
    words = ChartWords(latest="Mới nhất {value} {unit} lúc {time}.",
                       span="Thấp nhất {low} {unit}, cao nhất {high} {unit}.",
                       empty="Chưa có số liệu.", decimal_mark=",")
    root = parse(line_chart(minutes([45.5, 47.25]), width=400, height=160,
                            y_label="Nhiệt độ", unit="°C", words=words, **DAY))
    assert root.find(f"{SVG}desc").text == (
        "Mới nhất 47,2 °C lúc 11:00. Thấp nhất 45,5 °C, cao nhất 47,2 °C.")

    empty = parse(line_chart([], width=400, height=160, y_label="Nhiệt độ", unit="°C",
                             words=words, **DAY))
    assert empty.find(f"{SVG}desc").text == "Chưa có số liệu."
    assert empty.find(f"{SVG}text").text == "Chưa có số liệu."  # where the line would be


def test_missing_minutes_are_gaps_not_lines_across_them():
    values = [30.0] * 10 + [None] * 5 + [29.0] * 10 + [28.0]
    points = minutes(values)
    del points[20:25]  # five minutes with no point at all (the player was stopped)
    root = parse(line_chart(points, width=600, height=200, y_label="fps", unit="", **DAY))

    found = runs(root)
    assert [len(run) for run in found] == [10, 5, 1]  # the lone last minute is a dot
    xs = [[x for x, _ in run] for run in found]
    assert max(xs[0]) < min(xs[1]) and max(xs[1]) < min(xs[2])  # nothing drawn back or across


def test_time_ticks_are_local_hours_and_minutes():
    root = parse(line_chart(minutes([30.0] * 1440), width=600, height=200, y_label="fps",
                            unit="fps", **DAY))

    ticks = texts(root, "chart-axis")
    assert ticks and all(re.fullmatch(r"\d\d:\d\d", t) for t in ticks)
    # 04:00 UTC yesterday is 11:00 at the gate; ticks fall on round local hours after it.
    assert ticks[0] == "12:00" and "00:00" in ticks


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "]]><!-- & &amp; <![CDATA[",
    "\x00\x0b\ud800 control characters",
])
def test_any_label_is_text_and_the_svg_stays_valid(hostile):
    svg = line_chart(minutes([1.0, 2.0]), width=300, height=120, y_label=hostile, unit=hostile,
                     chart_id=hostile, words=ChartWords(empty=hostile), **DAY)
    root = parse(svg)

    names = {element.tag for element in root.iter()}
    assert names <= {f"{SVG}{n}" for n in ("svg", "title", "desc", "g", "line", "text", "path",
                                           "circle")}
    assert not any(a.startswith("on") for e in root.iter() for a in e.attrib)
    visible = hostile.replace("\x00", "").replace("\x0b", "").replace("\ud800", "")
    assert root.find(f"{SVG}title").text == f"{visible} ({visible})"
    assert "<script" not in svg


def test_no_inline_style_anywhere():
    svg = line_chart(minutes([30.0, None, 20.0, 25.0]), width=600, height=200, y_label="fps",
                     unit="fps", thresholds=[Threshold(24.0, "amber"), Threshold(12.0, "red")],
                     **DAY)
    root = parse(svg)

    assert not [e.tag for e in root.iter() if "style" in e.attrib or e.tag == f"{SVG}style"]
    levels = [g.get("class") for g in root.iter(f"{SVG}g") if "threshold" in g.get("class")]
    assert levels == ["threshold threshold-amber", "threshold threshold-red"]


def test_garbage_points_are_left_out_not_raised():
    naive = dt.datetime(2026, 12, 2, 3, 0)
    points = [("08:00", 1.0), (naive, 2.0), (NOW, "hot"), (NOW, float("nan")), None, 42,
              (NOW - dt.timedelta(minutes=1), float("inf")), (NOW, 1e308), (NOW, True),
              (NOW - dt.timedelta(minutes=3), 30.0)]
    root = parse(line_chart(points, width="wide", height=-5, y_label="fps", unit="fps",
                            thresholds=[Threshold(float("nan")), "70"], **DAY))

    assert [len(run) for run in runs(root)] == [1]  # the one good point
    assert root.get("width") == "80" and root.get("height") == "80"  # clamped to a minimum


def test_a_threshold_far_above_the_data_is_still_drawn():
    root = parse(line_chart(minutes([41.0, 43.5]), width=400, height=160, y_label="Card",
                            unit="°C", thresholds=[Threshold(70.0)], **DAY))

    assert texts(root, "threshold threshold-amber") == ["70"]
    assert max(float(t) for t in texts(root, "chart-grid")) >= 70
