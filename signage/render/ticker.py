"""The ticker: vi, en and zh with a separator after each, crawling right to left forever.

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
from signage.render.runs import fit_size, measure, render_runs, trilingual_runs

MARGIN_SHARE = 0.08  # of the strip height, above and below the line


class TickerVisual:
    def __init__(self, item: TickerItem, size: tuple[int, int], fonts: FontBook):
        self.size = size
        self.speed = item.speed
        width, height = size
        texts = item.text.in_order()
        usable = max(height - 2 * round(height * MARGIN_SHARE), 1)
        vi_size = fit_size(fonts, lambda s: trilingual_runs(fonts, texts, s, item.separator),
                           (1 << 30, usable), largest=usable)
        runs = trilingual_runs(fonts, texts, vi_size, item.separator, trailing=True)
        metrics = measure(fonts, runs)
        self.period = max(metrics.width, 1)  # one cycle: vi • en • zh •
        self.lead = background(size)  # what shows before the text has crawled in
        self.strip = _strip(fonts, runs, item, metrics, self.period, height)
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


def _strip(fonts, runs, item: TickerItem, metrics, period: int, height: int) -> pygame.Surface:
    """One opaque cycle of the crawl; ink that spills past either end wraps to the other."""
    text, baseline = render_runs(fonts, runs, item.style, metrics)
    pad = (text.get_width() - metrics.width) // 2  # the outline's room on each side
    top = (height - metrics.height) // 2 + metrics.ascent - baseline
    strip = background((period, height))
    for shift in (-period, 0, period):
        strip.blit(text, (shift - pad, top))
    return strip
