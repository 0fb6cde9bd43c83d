"""Transitions draw the old picture giving way to the new one, as a function of progress."""

import pygame
import pytest

from signage.render.pictures import new_frame
from signage.render.transitions import KINDS, draw_transition, ease

SIZE = (40, 20)
RED, BLUE = (200, 0, 0), (0, 0, 200)


def solid(colour):
    surface = new_frame(SIZE)
    surface.fill(colour)
    return surface


def drawn(kind, progress, offset=(0, 0)):
    target = new_frame((SIZE[0] + offset[0], SIZE[1] + offset[1]))
    target.fill((0, 99, 0))
    draw_transition(kind, target, pygame.Rect(offset, SIZE), solid(RED), solid(BLUE), progress)
    return target


def rgb(surface, x, y):
    return tuple(surface.get_at((x, y)))[:3]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_starts_on_the_old_picture_and_ends_on_the_new(kind):
    if kind != "cut":
        assert {rgb(drawn(kind, 0.0), x, y) for x in (0, 39) for y in (0, 19)} == {RED}
    assert {rgb(drawn(kind, 1.0), x, y) for x in (0, 39) for y in (0, 19)} == {BLUE}


def test_a_cut_shows_the_new_picture_at_once():
    assert rgb(drawn("cut", 0.2), 0, 0) == BLUE


def test_crossfade_blends_the_two():
    r, _, b = rgb(drawn("crossfade", 0.5), 10, 10)
    assert 90 < r < 110 and 90 < b < 110


@pytest.mark.parametrize("kind, old_at, new_at", [
    ("slide-left", (5, 10), (35, 10)),   # the new picture comes in from the right
    ("slide-up", (20, 2), (20, 17)),     # ... from the bottom
    ("wipe", (35, 10), (5, 10)),         # ... is uncovered from the left
])
def test_half_way_each_picture_has_half_the_box(kind, old_at, new_at):
    frame = drawn(kind, 0.5)
    assert rgb(frame, *old_at) == RED and rgb(frame, *new_at) == BLUE


def test_a_transition_stays_inside_its_box():
    frame = drawn("slide-left", 0.5, offset=(7, 3))
    assert rgb(frame, 3, 1) == (0, 99, 0)
    assert rgb(frame, 7, 3) == RED


def test_slides_ease_in_and_out():
    assert ease(0.0) == 0 and ease(0.5) == 0.5 and ease(1.0) == 1
    assert ease(0.1) < 0.1 and ease(0.9) > 0.9


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="slide-left"):
        drawn("spin", 0.5)


def test_a_crossfade_within_half_a_level_of_either_end_shows_that_picture_exactly():
    # Opacity rounds to 255 (or 0) there; SDL would blend at 255 with a slow loop and
    # still land a level short of the new picture, so the picture itself is copied.
    assert rgb(drawn("crossfade", 0.999), 5, 5) == BLUE
    assert rgb(drawn("crossfade", 0.001), 5, 5) == RED


def test_a_transition_draws_only_inside_the_target_clip():
    target = new_frame(SIZE)
    target.fill((0, 99, 0))
    target.set_clip(pygame.Rect(0, 0, 10, 20))
    draw_transition("crossfade", target, pygame.Rect((0, 0), SIZE), solid(RED), solid(BLUE), 0.5)
    assert rgb(target, 5, 5) not in (RED, BLUE, (0, 99, 0)) and rgb(target, 15, 5) == (0, 99, 0)
