"""The crossfade's blend: the C loop draws what SDL's blend draws, where blit would draw it.

Pixels are compared channel by channel. The two blends round differently: SDL scales
by alpha/256 with alpha 0..255 and truncates, so it strays up to two levels from the
exact mean, while the C loop is the exact mean rounded; SDL_GAP is that allowance.
The C loop is also called with spans that do not fit its buffers, which it must refuse
before writing a byte.
"""

import random

import pygame
import pytest
from hypothesis import given, settings, strategies as st

from signage.render import blend
from signage.render.blend import FULL, blend_into, weight
from signage.render.pictures import new_frame

SIZE = (37, 23)  # odd sizes: rows are not a multiple of any vector width


def noise(size, seed):
    """A picture where every channel of every pixel differs: blends cannot hide."""
    rng = random.Random(seed)
    surface = new_frame(size)
    surface.get_buffer().write(bytes(rng.randrange(256) for _ in range(surface.get_pitch() * size[1])))
    return surface


def channels(surface):
    """Every pixel's (r, g, b), row by row."""
    width, height = surface.get_size()
    return [tuple(surface.get_at((x, y)))[:3] for y in range(height) for x in range(width)]


def largest_gap(one, other):
    return max(abs(a - b) for p, q in zip(channels(one), channels(other)) for a, b in zip(p, q))


def drawn(native, new_weight, *, at=(0, 0), clip=None, target_size=SIZE, before=None, after=None):
    target = noise(target_size, 9)
    if clip is not None:
        target.set_clip(clip)
    blend_into(target, at, before or noise(SIZE, 1), after or noise(SIZE, 2), new_weight,
               native=native)
    target.set_clip(None)
    return target


SDL_GAP = 2
native_only = pytest.mark.skipif(blend._blend is None, reason="signage.render._blend not built")


def test_the_c_blend_is_built_where_make_install_ran():
    # make install puts a C compiler on the box, so a missing kernel is an install fault:
    # the wall would still fade, at three times the CPU.
    assert blend.KERNEL == "native", blend.KERNEL_NOTE


@native_only
@pytest.mark.parametrize("new_weight", [1, 37, 128, 200, 255])
def test_the_c_blend_matches_sdls_blend(new_weight):
    assert largest_gap(drawn(True, new_weight), drawn(False, new_weight)) <= SDL_GAP


@native_only
def test_the_c_blend_is_the_weighted_mean_rounded():
    before, after = new_frame(SIZE), new_frame(SIZE)
    before.fill((200, 0, 11))
    after.fill((0, 255, 100))
    target = new_frame(SIZE)
    blend_into(target, (0, 0), before, after, 64)  # a quarter of the way
    # (200*192 + 0*64 + 128) >> 8 = 150; (0*192 + 255*64 + 128) >> 8 = 64; 11*192+100*64 -> 33
    assert tuple(target.get_at((36, 22)))[:3] == (150, 64, 33)


@native_only
@pytest.mark.parametrize("new_weight, expected", [(0, "before"), (FULL, "after")])
def test_the_ends_of_a_fade_are_exactly_the_pictures(new_weight, expected):
    pictures = {"before": noise(SIZE, 1), "after": noise(SIZE, 2)}
    target = new_frame(SIZE)
    blend_into(target, (0, 0), pictures["before"], pictures["after"], new_weight)
    assert channels(target) == channels(pictures[expected])


@native_only
@settings(max_examples=300, deadline=None, derandomize=True)
@given(x=st.integers(-40, 40), y=st.integers(-30, 30), new_weight=st.integers(1, 255),
       clip=st.tuples(st.integers(-5, 45), st.integers(-5, 30), st.integers(0, 50),
                      st.integers(0, 35)))
def test_the_c_blend_draws_only_where_blit_would(x, y, new_weight, clip):
    # Placed anywhere, even partly off the target, and clipped anyhow: outside the
    # picture's place or the clip the target keeps its pixels, inside it is the blend.
    target_size = (41, 29)
    ours = drawn(True, new_weight, at=(x, y), clip=clip, target_size=target_size)
    sdls = drawn(False, new_weight, at=(x, y), clip=clip, target_size=target_size)
    assert largest_gap(ours, sdls) <= SDL_GAP
    untouched = noise(target_size, 9)
    inside = pygame.Rect((x, y), SIZE).clip(pygame.Rect(clip)).clip(untouched.get_rect())
    for py in range(target_size[1]):
        for px in range(target_size[0]):
            if not inside.collidepoint(px, py):
                assert ours.get_at((px, py)) == untouched.get_at((px, py)), (px, py)


@native_only
def test_surfaces_are_unlocked_after_a_blend():
    target, before, after = new_frame(SIZE), noise(SIZE, 1), noise(SIZE, 2)
    blend_into(target, (0, 0), before, after, 99)
    assert not (target.get_locked() or before.get_locked() or after.get_locked())
    target.blit(after, (0, 0))  # SDL refuses to blit locked surfaces
    assert channels(target) == channels(after)


@pytest.mark.parametrize("kind", ["per-pixel alpha", "subsurface", "other size"])
def test_pictures_the_c_loop_cannot_take_are_blended_by_sdl(kind):
    before, after = noise(SIZE, 1), noise(SIZE, 2)
    if kind == "per-pixel alpha":
        after = after.convert_alpha() if pygame.display.get_surface() else _with_alpha(after)
    elif kind == "subsurface":
        after = noise((50, 30), 2).subsurface(pygame.Rect((3, 4), SIZE))
    else:
        after = noise((SIZE[0] - 5, SIZE[1]), 2)
    ours, sdls = new_frame(SIZE), new_frame(SIZE)
    blend_into(ours, (0, 0), before, after, 100)
    blend_into(sdls, (0, 0), before, after, 100, native=False)
    assert channels(ours) == channels(sdls)


def _with_alpha(surface):
    with_alpha = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    with_alpha.blit(surface, (0, 0))
    with_alpha.fill((0, 0, 0, 100), special_flags=pygame.BLEND_RGBA_MIN)  # alpha 100 everywhere
    return with_alpha


def test_weight_runs_from_the_old_picture_to_the_new():
    assert [weight(p) for p in (-1, 0, 0.5, 0.999, 1, 2)] == [0, 0, 128, FULL, FULL, FULL]


@native_only
@pytest.mark.parametrize("call, message", [
    # dst, pitch, offset, a, pitch, offset, b, pitch, offset, row_bytes, rows, weight
    ((bytearray(16), 8, 0, bytes(16), 8, 0, bytes(16), 8, 0, 8, 3, 10), "do not fit in dst"),
    ((bytearray(16), 8, 0, bytes(8), 8, 0, bytes(16), 8, 0, 8, 2, 10), "do not fit in a"),
    ((bytearray(16), 8, 0, bytes(16), 8, 0, bytes(16), 8, 9, 8, 1, 10), "do not fit in b"),
    ((bytearray(16), 8, -1, bytes(16), 8, 0, bytes(16), 8, 0, 8, 1, 10), "do not fit in dst"),
    ((bytearray(16), 4, 0, bytes(16), 8, 0, bytes(16), 8, 0, 8, 1, 10), "do not fit in dst"),
    ((bytearray(16), 8, 0, bytes(16), 8, 0, bytes(16), 8, 0, 8, 2, 257), "weight"),
    ((bytearray(16), 8, 0, bytes(16), 8, 0, bytes(16), 8, 0, -8, 2, 10), "negative"),
])
def test_the_c_loop_refuses_spans_outside_its_buffers(call, message):
    untouched = bytes(call[0])
    with pytest.raises(ValueError, match=message):
        blend._blend.blend(*call)
    assert bytes(call[0]) == untouched


@native_only
def test_the_c_loop_will_not_write_into_read_only_memory():
    with pytest.raises(TypeError):
        blend._blend.blend(bytes(16), 8, 0, bytes(16), 8, 0, bytes(16), 8, 0, 8, 2, 10)
