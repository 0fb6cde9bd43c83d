"""Blending two pictures into a frame, for crossfades: a C loop when built, SDL otherwise.

pygame's surface-alpha blit is SDL's scalar blend, which made the crossfade the most
expensive frame the wall draws (about 3 ms at 1920x1080 on the small boxes we target,
with the copy of the old picture it needs first). `_blend.c` blends both pictures into
the frame in one vectorised pass (under 1 ms). It is built by `pip install` where a C
compiler is present (`make install` puts one there); without it, SDL's blend draws
the same picture within one level per channel, and the log says which one runs.

Both take the opacity as a weight 0..256 of the new picture, so 0 is exactly the old
picture and 256 exactly the new one.
"""

from __future__ import annotations

import logging

import pygame

try:
    from signage.render import _blend
except ImportError:  # built without a C compiler: pygame's blend does the work
    _blend = None

log = logging.getLogger(__name__)

FULL = 256  # weight of the new picture at the end of a fade
KERNEL = "native" if _blend is not None else "sdl"
KERNEL_NOTE = ("crossfades use the built-in C blend (signage.render._blend)" if _blend else
               "crossfades use SDL's slower blend: signage.render._blend was not built "
               "(install a C compiler and the Python headers, then `make install` again)")


def weight(progress: float) -> int:
    """The new picture's weight 0..256 for fade progress 0..1."""
    return min(max(round(FULL * progress), 0), FULL)


def blend_into(target: pygame.Surface, at: tuple[int, int], before: pygame.Surface,
               after: pygame.Surface, new_weight: int, *, native: bool = True) -> None:
    """Draw `before` and `after` mixed by `new_weight` (0..256) at `at` in `target`,
    inside target's clip rectangle, as `target.blit` would draw them there.
    `native=False` forces SDL's blend (tests compare the two)."""
    if native and _blend is not None and _native_fits(target, before, after):
        _native_blend(target, at, before, after, new_weight)
        return
    target.blit(before, at)
    if new_weight <= 0:
        return
    if new_weight >= FULL:
        target.blit(after, at)
        return
    # SDL's surface alpha is 0..255; 255 would take its slow generic loop, and is `after`.
    after.set_alpha(min(254, round(new_weight * 255 / FULL)))
    try:
        target.blit(after, at)
    finally:
        after.set_alpha(None)


def _native_fits(target: pygame.Surface, before: pygame.Surface, after: pygame.Surface) -> bool:
    """Whether the C loop draws what SDL would: three distinct whole surfaces of one
    32-bit format, pictures of one size, and no per-pixel alpha to honour."""
    if target is before or target is after or before.get_size() != after.get_size():
        return False
    # The fourth byte is blended like the others: a film frame's opaque alpha (where the
    # frame format has an unused byte) is as good as any value there.
    masks = target.get_masks()[:3]
    for surface in (target, before, after):
        if (surface.get_bytesize() != 4 or surface.get_masks()[:3] != masks
                or surface.get_flags() & pygame.SRCALPHA or surface.get_parent() is not None
                or surface.get_colorkey() is not None):
            return False
    return True


def _native_blend(target: pygame.Surface, at: tuple[int, int], before: pygame.Surface,
                  after: pygame.Surface, new_weight: int) -> None:
    area = pygame.Rect(at, before.get_size()).clip(target.get_clip())
    if area.w <= 0 or area.h <= 0:  # an emptied clip rectangle can read as negative
        return
    src_x, src_y = area.x - at[0], area.y - at[1]
    target_pitch, source_pitch = target.get_pitch(), before.get_pitch()
    # get_buffer() locks a surface only while its buffer object lives: here, the call.
    _blend.blend(target.get_buffer(), target_pitch, area.y * target_pitch + area.x * 4,
                 before.get_buffer(), source_pitch, src_y * source_pitch + src_x * 4,
                 after.get_buffer(), after.get_pitch(), src_y * after.get_pitch() + src_x * 4,
                 area.w * 4, area.h, new_weight)
