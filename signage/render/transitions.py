"""How one picture replaces another in a box: cut, crossfade, slide-left, slide-up, wipe.

Pure drawing: the same pictures and progress give the same pixels, so a transition is a
function of the clock like everything else on screen. Slides and the wipe ease in and
out (a constant-speed slide looks like it jerks when it starts and stops).
"""

from __future__ import annotations

import pygame

from signage.render.blend import FULL, blend_into, weight

KINDS = ("cut", "crossfade", "slide-left", "slide-up", "wipe")


def ease(progress: float) -> float:
    """Smoothstep: slow at both ends, 0 -> 0, 0.5 -> 0.5, 1 -> 1."""
    p = min(max(progress, 0.0), 1.0)
    return p * p * (3 - 2 * p)


def draw_transition(kind: str, target: pygame.Surface, box: pygame.Rect,
                    before: pygame.Surface, after: pygame.Surface, progress: float) -> None:
    """Draw `before` giving way to `after` in `box` of target; progress 0 -> 1."""
    if kind not in KINDS:
        raise ValueError(f"transition kind {kind!r} unknown; use one of {', '.join(KINDS)}")
    x, y, width, height = box
    opacity = weight(progress)  # a crossfade's weight of `after`, 0..256
    if progress >= 1 or kind == "cut" or kind == "crossfade" and opacity >= FULL:
        target.blit(after, (x, y))  # exactly `after`'s pixels: a copy is cheapest
    elif progress <= 0 or kind == "crossfade" and opacity <= 0:
        target.blit(before, (x, y))
    elif kind == "crossfade":
        blend_into(target, (x, y), before, after, opacity)
    elif kind == "slide-left":
        shift = round(width * ease(progress))
        target.blit(before, (x, y), pygame.Rect(shift, 0, width - shift, height))
        target.blit(after, (x + width - shift, y), pygame.Rect(0, 0, shift, height))
    elif kind == "slide-up":
        shift = round(height * ease(progress))
        target.blit(before, (x, y), pygame.Rect(0, shift, width, height - shift))
        target.blit(after, (x, y + height - shift), pygame.Rect(0, 0, width, shift))
    else:  # wipe: the new picture is uncovered from the left edge
        edge = round(width * ease(progress))
        target.blit(after, (x, y), pygame.Rect(0, 0, edge, height))
        target.blit(before, (x + edge, y), pygame.Rect(edge, 0, width - edge, height))
