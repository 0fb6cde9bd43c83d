"""The ticker: Vietnamese crawling on the upper row, English and Chinese on a row below it.

Vietnam's Law on Advertising 2012, art. 18(2): foreign-language text goes below the
Vietnamese, its type at most three quarters of the Vietnamese size. Both rows crawl
together at one speed with one period (the longer row's length; the shorter row is
followed by blank), so each Vietnamese text passes directly above its translation, and
the loop has no seam.

The whole cycle is drawn once onto an opaque strip (text over the zone's backdrop, which
only varies vertically, so the strip can slide sideways). A frame then copies the one or
two visible pieces of the strip. The crawl position is a pure function of the time since
the item came on: the same clock always gives the same frame.
"""

from __future__ import annotations

import math

import pygame

from signage.content.models import TickerItem
from signage.render.fonts import FontBook
from signage.render.pictures import background, new_frame, surface_bytes
from signage.render.runs import TwoRows, fit_two_rows, measure, render_runs

MARGIN_SHARE = 0.08  # of the strip height, above and below the rows
UNBOUNDED = 1 << 30


def ticker_rows(fonts: FontBook, item: TickerItem, height: int) -> TwoRows:
    """The two rows at the largest size that fits a strip `height` px tall (what the door
    checks measure, too)."""
    usable = max(height - 2 * round(height * MARGIN_SHARE), 1)
    return fit_two_rows(fonts, item.text.in_order(), (UNBOUNDED, usable), item.separator,
                        trailing=item.separator)


class TickerVisual:
    def __init__(self, item: TickerItem, size: tuple[int, int], fonts: FontBook):
        self.size = size
        self.speed = item.speed
        self.rows = ticker_rows(fonts, item, size[1])
        widths = [measure(fonts, row).width for row in (self.rows.upper, self.rows.lower)]
        self.period = max(*widths, 1)  # one cycle of the longer row, separator included
        self.lead = background(size)  # what shows before the text has crawled in
        self.strip = _strip(fonts, self.rows, item, self.period, size[1])
        self._scratch: pygame.Surface | None = None
        self.nbytes = surface_bytes(self.strip) + 2 * surface_bytes(self.lead)

    def offset(self, into: float) -> int:
        """Where the first visible copy of the cycle starts, in zone pixels.

        The text enters at the right edge; once a whole cycle has passed the left edge the
        position wraps by one period, so it stays in [-period, 0) from then on.
        """
        x = self.size[0] - math.floor(into * self.speed)
        return x if x > 0 else x % self.period - self.period

    def key(self, into: float, now) -> int:
        return self.offset(into)

    def draw(self, target: pygame.Surface, topleft: tuple[int, int], into: float, now) -> None:
        x = self.offset(into)
        left, top = topleft
        width, height = self.size
        clip = target.get_clip()
        target.set_clip(pygame.Rect(left, top, width, height).clip(clip))
        if x > 0:
            target.blit(self.lead, topleft, pygame.Rect(0, 0, x, height))
        while x < width:
            target.blit(self.strip, (left + x, top))
            x += self.period
        target.set_clip(clip)

    def picture(self, into: float, now) -> pygame.Surface:
        if self._scratch is None:
            self._scratch = new_frame(self.size)
        self.draw(self._scratch, (0, 0), into, now)
        return self._scratch


def ticker_sizes(fonts: FontBook, item: TickerItem, height: int) -> dict[str, int]:
    """Font size of each language in a ticker strip `height` px tall."""
    rows = ticker_rows(fonts, item, height)
    (vi, _, vi_size), (en, _, en_size), _separator, (zh, _, zh_size) = (*rows.upper, *rows.lower[:3])
    return {vi: vi_size, en: en_size, zh: zh_size}


def row_baselines(rows: TwoRows, height: int) -> tuple[int, int]:
    """Baselines of the upper and lower rows with their ink centred in `height`."""
    top = (height - rows.height) // 2
    upper = top + rows.upper_ink[0]
    return upper, upper - rows.upper_ink[1] + rows.gap + rows.lower_ink[0]


def _strip(fonts, rows: TwoRows, item: TickerItem, period: int, height: int) -> pygame.Surface:
    """One opaque cycle of the crawl; ink that spills past either end wraps to the other."""
    strip = background((period, height))
    for runs, baseline in zip((rows.upper, rows.lower), row_baselines(rows, height)):
        metrics = measure(fonts, runs)
        text, text_baseline = render_runs(fonts, runs, item.style, metrics)
        pad = (text.get_width() - metrics.width) // 2  # the outline's room on each side
        for shift in (-period, 0, period):
            strip.blit(text, (shift - pad, baseline - text_baseline))
    return strip
