"""Test patterns as pictures: what a panel shows while a pattern is on.

Serial signs and the software drivers show these pictures themselves; a NovaStar card draws
its own, and these are faithful likenesses of them, so the player's snapshot (the truth
technicians see) shows the pattern that is on the wall, whoever draws it.

>>> pattern_surface("corners", (4, 2)).get_at((3, 1))[:3]
(255, 255, 255)
>>> pattern_surface("grey", (256, 1)).get_at((255, 0))[:3]
(255, 255, 255)
"""

from __future__ import annotations

import pygame

LINE_GAP = 8  # pixels between the lines of the line patterns: the card draws them this fine
CORNERS = (((0, 0), (255, 0, 0)), ((-1, 0), (0, 255, 0)), ((0, -1), (0, 0, 255)),
           ((-1, -1), (255, 255, 255)))
AGEING = ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255))  # the colours it cycles


def pattern_surface(name: str, size: tuple[int, int]) -> pygame.Surface:
    """The picture of test pattern `name` at `size` (ValueError for an unknown name)."""
    width, height = size
    surface = pygame.Surface(size)
    surface.fill((0, 0, 0))
    if name == "corners":  # the wiring check: each corner its own colour
        for (x, y), colour in CORNERS:
            surface.set_at((x % width, y % height), colour)
    elif name in ("horizontal", "vertical", "diagonal"):
        _lines(surface, name)
    elif name == "grey":  # a ramp from black at the left to white at the right
        for x in range(width):
            level = round(255 * x / max(1, width - 1))
            surface.fill((level, level, level), pygame.Rect(x, 0, 1, height))
    elif name == "ageing":  # it cycles through these; a still shows them side by side
        band = max(1, width // len(AGEING))
        for i, colour in enumerate(AGEING):
            surface.fill(colour, pygame.Rect(i * band, 0, band if i < 3 else width, height))
    else:
        surface.fill(pygame.Color(name))  # red, green, blue, white, black
    return surface


def pattern_rgb(name: str, size: tuple[int, int]) -> bytes:
    """The pattern as RGB bytes, row by row (what serial signs are sent)."""
    return pygame.image.tobytes(pattern_surface(name, size), "RGB")


def _lines(surface: pygame.Surface, kind: str) -> None:
    width, height = surface.get_size()
    white = (255, 255, 255)
    if kind == "horizontal":
        for y in range(0, height, LINE_GAP):
            surface.fill(white, pygame.Rect(0, y, width, 1))
    elif kind == "vertical":
        for x in range(0, width, LINE_GAP):
            surface.fill(white, pygame.Rect(x, 0, 1, height))
    else:
        for start in range(-height, width, LINE_GAP):
            pygame.draw.line(surface, white, (start, 0), (start + height, height))
