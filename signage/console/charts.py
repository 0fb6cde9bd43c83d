"""Line charts as inline SVG for the console (the overview's last 24 hours of frame rate
and panel temperature). Pure and dependency-free: points in, one SVG string out.

The SVG passes the console's CSP: no `style` attribute and no <style> element (both are
inline style); colours and strokes come from presentation attributes and classes the
console's stylesheet may restyle (chart-line, chart-grid, threshold-amber, ...). It is an
image with a name and a description a screen reader says (role="img", <title>, <desc>:
the latest value and the lowest and highest, in the words the caller hands in). Every
text is escaped, so a label carrying markup shows as text. A minute without data is a gap
in the line, never a line drawn across it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import math
import re
from typing import Any, Iterable, Sequence

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 10, 26, 20
MIN_SIDE, MAX_SIDE = 80, 4000
MAX_VALUE = 1e9
MAX_GAP = dt.timedelta(seconds=90)  # points further apart than this are not joined
LEVELS = ("amber", "red")
# Minutes between time ticks, from the finest: the first that leaves ~70 px per label.
TICK_MINUTES = (5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]")


@dataclasses.dataclass(frozen=True)
class Threshold:
    """A level drawn across the chart (the alerts' limits): 70 °C amber, say."""

    value: float
    level: str = "amber"  # amber | red: the line's class, threshold-LEVEL


@dataclasses.dataclass(frozen=True)
class ChartWords:
    """What <desc> and an empty chart say; the console hands in its catalog's words.
    Fields in braces: value, unit, time (HH:MM local), low, high."""

    latest: str = "Latest {value} {unit} at {time}."
    span: str = "Lowest {low} {unit}, highest {high} {unit}."
    empty: str = "No data."
    decimal_mark: str = "."


@dataclasses.dataclass(frozen=True)
class _Frame:
    """Where the plot sits and how times and values map onto it."""

    left: float
    top: float
    right: float
    bottom: float
    start: dt.datetime
    end: dt.datetime
    low: float
    high: float

    def x(self, moment: dt.datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        share = (moment.timestamp() - self.start.timestamp()) / span
        return round(self.left + share * (self.right - self.left), 1)

    def y(self, value: float) -> float:
        share = (value - self.low) / ((self.high - self.low) or 1.0)
        share = max(0.0, min(1.0, share))  # a value outside a pinned range stays on the edge
        return round(self.bottom - share * (self.bottom - self.top), 1)


def line_chart(points: Iterable[Any], *, width: int, height: int, y_label: str, unit: str,
               thresholds: Sequence[Threshold] = (), start: dt.datetime | None = None,
               end: dt.datetime | None = None, zone: dt.tzinfo | None = None,
               y_range: tuple[float | None, float | None] = (None, None),
               decimals: int = 1, max_gap: dt.timedelta = MAX_GAP,
               words: ChartWords = ChartWords(), chart_id: str | None = None) -> str:
    """An SVG line chart of `points`, (aware datetime, number or None) pairs; anything
    else in them is left out. None, NaN or a time step over `max_gap` breaks the line.
    Times run from `start` to `end` (the points' own by default), ticked HH:MM in `zone`
    (the times' own offset by default); `y_range` pins either end of the value axis."""
    width, height = _side(width), _side(height)
    series = _clean(points)
    start = start or (series[0][0] if series else None)
    end = end or (series[-1][0] if series else None)
    if _is_aware(start) and _is_aware(end):
        series = [(moment, value) for moment, value in series if start <= moment <= end]
    ident = _ident(chart_id, y_label, unit)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{ident}-title {ident}-desc">'
            f'<title id="{ident}-title">{_text(_titled(y_label, unit))}</title>'
            f'<desc id="{ident}-desc">{_text(describe(series, unit, zone, decimals, words))}'
            '</desc>')
    values = [value for _, value in series if value is not None]
    if not _is_aware(start) or not _is_aware(end) or not values or end <= start:
        middle = f'x="{width / 2}" y="{height / 2}" text-anchor="middle"'
        return f'{head}<text class="chart-empty" {middle}>{_text(words.empty)}</text></svg>'
    low, high = _value_range(values, thresholds, y_range)
    frame = _Frame(MARGIN_LEFT, MARGIN_TOP, width - MARGIN_RIGHT, height - MARGIN_BOTTOM,
                   start, end, low, high)
    zone = zone or end.tzinfo
    body = (_value_axis(frame, decimals, words) + _time_axis(frame, zone)
            + _threshold_lines(frame, thresholds, decimals, words)
            + _line(frame, series, max_gap)
            + f'<text class="chart-label" x="{MARGIN_LEFT}" y="12">'
              f'{_text(_titled(y_label, unit))}</text>')
    return f'{head}{body}</svg>'


def describe(series: Sequence[tuple[dt.datetime, float | None]], unit: str,
             zone: dt.tzinfo | None, decimals: int, words: ChartWords) -> str:
    """The chart in words: the latest value and when, the lowest and the highest."""
    known = [(moment, value) for moment, value in series if value is not None]
    if not known:
        return words.empty
    moment, latest = known[-1]
    number = lambda value: _number(value, decimals, words)  # noqa: E731
    time = moment.astimezone(zone or moment.tzinfo).strftime("%H:%M")
    values = [value for _, value in known]
    return " ".join((
        words.latest.format(value=number(latest), unit=unit, time=time),
        words.span.format(low=number(min(values)), high=number(max(values)), unit=unit)))


def _clean(points: Iterable[Any]) -> list[tuple[dt.datetime, float | None]]:
    """Well-formed pairs in time order: an aware time and a finite number or None."""
    series = []
    for point in points if _iterable(points) else ():
        try:
            moment, value = point
        except (TypeError, ValueError):
            continue
        if _is_aware(moment):
            # A reading beyond MAX_VALUE is garbage, and would overflow the axis' arithmetic.
            series.append((moment, float(value) if _finite(value) and abs(value) <= MAX_VALUE
                           else None))
    return sorted(series, key=lambda pair: pair[0])


def _value_range(values: list[float], thresholds: Sequence[Threshold],
                 pinned: tuple[float | None, float | None]) -> tuple[float, float]:
    """The value axis: the data and the thresholds, widened to round ticks."""
    marks = [t.value for t in _thresholds(thresholds)]
    pinned = tuple(p if _finite(p) and abs(p) <= MAX_VALUE else None for p in pinned)
    low = pinned[0] if pinned[0] is not None else min(values + marks)
    high = pinned[1] if pinned[1] is not None else max(values + marks)
    if high <= low:
        low, high = low - 1, low + 1
    step = _nice_step((high - low) / 4)
    return (low if pinned[0] is not None else math.floor(low / step) * step,
            high if pinned[1] is not None else math.ceil(high / step) * step)


def _nice_step(rough: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `rough`."""
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)


def _value_axis(frame: _Frame, decimals: int, words: ChartWords) -> str:
    step = _nice_step((frame.high - frame.low) / 4)
    parts = []
    tick = math.ceil(frame.low / step) * step
    while tick <= frame.high + step * 1e-9:
        y = frame.y(tick)
        parts.append(f'<line x1="{frame.left}" x2="{frame.right}" y1="{y}" y2="{y}" '
                     f'stroke="currentColor" stroke-opacity="0.15"/>'
                     f'<text x="{frame.left - 4}" y="{y + 4}" text-anchor="end">'
                     f'{_text(_number(tick, decimals if step < 1 else 0, words))}</text>')
        tick += step
    return f'<g class="chart-grid" font-size="11" fill="currentColor">{"".join(parts)}</g>'


def _time_axis(frame: _Frame, zone: dt.tzinfo) -> str:
    """Ticks at round local times (HH:MM in `zone`), about one per 70 px."""
    minutes = (frame.end - frame.start).total_seconds() / 60
    room = max(1, int((frame.right - frame.left) // 70))
    step = next((m for m in TICK_MINUTES if minutes / m <= room),
                math.ceil(minutes / room / 1440) * 1440)  # days apart, for a span of weeks
    local = frame.start.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    count = math.ceil((local - midnight).total_seconds() / 60 / step)
    tick = midnight + dt.timedelta(minutes=count * step)
    parts = [f'<line x1="{frame.left}" x2="{frame.right}" y1="{frame.bottom}" '
             f'y2="{frame.bottom}" stroke="currentColor" stroke-opacity="0.4"/>']
    while tick <= frame.end:
        x = frame.x(tick)
        parts.append(f'<line x1="{x}" x2="{x}" y1="{frame.bottom}" y2="{frame.bottom + 4}" '
                     f'stroke="currentColor"/><text x="{x}" y="{frame.bottom + 15}" '
                     f'text-anchor="middle">{tick.astimezone(zone).strftime("%H:%M")}</text>')
        tick += dt.timedelta(minutes=step)
    return f'<g class="chart-axis" font-size="11" fill="currentColor">{"".join(parts)}</g>'


def _threshold_lines(frame: _Frame, thresholds: Sequence[Threshold], decimals: int,
                     words: ChartWords) -> str:
    parts = []
    for threshold in _thresholds(thresholds):
        if not frame.low <= threshold.value <= frame.high:
            continue
        y = frame.y(threshold.value)
        level = threshold.level if threshold.level in LEVELS else "amber"
        places = 0 if float(threshold.value).is_integer() else decimals  # 70, not 70.0
        parts.append(f'<g class="threshold threshold-{level}">'
                     f'<line x1="{frame.left}" x2="{frame.right}" y1="{y}" y2="{y}" '
                     f'stroke="currentColor" stroke-dasharray="4 3"/>'
                     f'<text x="{frame.right}" y="{y - 3}" text-anchor="end" font-size="10" '
                     f'fill="currentColor">{_text(_number(threshold.value, places, words))}'
                     f'</text></g>')
    return "".join(parts)


def _line(frame: _Frame, series: list[tuple[dt.datetime, float | None]],
          max_gap: dt.timedelta) -> str:
    """The data as one path of runs (M starts each run after a gap); a run of one point
    is a dot, which a path would not show."""
    runs: list[list[tuple[float, float]]] = []
    previous: dt.datetime | None = None
    x, y = frame.x, frame.y
    for moment, value in series:
        if value is not None:
            if previous is None or moment - previous > max_gap:
                runs.append([])
            runs[-1].append((x(moment), y(value)))
        previous = None if value is None else moment
    path = " ".join("M" + " L".join(f"{x} {y}" for x, y in run) for run in runs if len(run) > 1)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="2" fill="currentColor"/>'
                   for run in runs if len(run) == 1 for x, y in run)
    line = (f'<path d="{path}" fill="none" stroke="currentColor" stroke-width="2" '
            f'stroke-linejoin="round"/>' if path else "")
    return f'<g class="chart-line">{line}{dots}</g>'


def _thresholds(thresholds: Any) -> list[Threshold]:
    items = thresholds if _iterable(thresholds) else ()
    return [t for t in items if isinstance(t, Threshold) and _finite(t.value)
            and abs(t.value) <= MAX_VALUE]


def _number(value: float, decimals: int, words: ChartWords) -> str:
    text = f"{value:.{max(0, min(int(decimals), 6))}f}"
    return text.replace(".", words.decimal_mark)


def _titled(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else str(label)


def _text(value: Any) -> str:
    """`value` as XML text or attribute content: escaped, without characters XML forbids."""
    return html.escape(_NOT_XML.sub("", str(value)), quote=True)


def _ident(chart_id: str | None, y_label: str, unit: str) -> str:
    """An id for aria-labelledby: the caller's (cleaned), else one from the label."""
    if chart_id:
        cleaned = _ID_CHARS.sub("", str(chart_id))
        if cleaned:
            return f"chart-{cleaned}"
    digest = hashlib.sha1(f"{y_label}\0{unit}".encode("utf-8", "replace")).hexdigest()[:8]
    return f"chart-{digest}"


def _side(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = MIN_SIDE
    return max(MIN_SIDE, min(MAX_SIDE, number))


def _is_aware(value: Any) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None \
        and value.utcoffset() is not None


def _finite(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _iterable(value: Any) -> bool:
    return isinstance(value, (list, tuple)) or (hasattr(value, "__iter__")
                                                and not isinstance(value, (str, bytes, dict)))
