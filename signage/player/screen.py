"""What the panel shows, as technicians must see it: the composed frame, or black while the
wall is blanked, or the test pattern that is on. The snapshot and the status say the same.

>>> Screen().label, Screen(lit=False, pattern="red").label, Screen(pattern="grey").label
('content', 'blanked', 'test-pattern grey')
"""

from __future__ import annotations

import dataclasses

import pygame

from drivers.pattern_pictures import pattern_surface


@dataclasses.dataclass(frozen=True)
class Screen:
    """The panel's own state over the frame, as the driver last applied it."""

    lit: bool = True
    pattern: str | None = None

    @property
    def label(self) -> str:
        """One word (or two) for headers and monitors: content, blanked, test-pattern NAME."""
        if not self.lit:
            return "blanked"
        return f"test-pattern {self.pattern}" if self.pattern else "content"

    def apply(self, picture: pygame.Surface) -> pygame.Surface:
        """`picture` (a copy the caller owns) made into what the panel shows."""
        if not self.lit:
            picture.fill((0, 0, 0))
        elif self.pattern:
            picture.blit(pattern_surface(self.pattern, picture.get_size()), (0, 0))
        return picture
