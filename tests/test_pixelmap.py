"""Pixel mapping from the panel picture to LED wire order, and the brightness/gamma table."""

import doctest
import itertools

import pygame
import pytest

import drivers.pixelmap
from drivers.base import DriverConfigError
from drivers.pixelmap import PixelMap, level_table

# A 4x3 picture, pixels numbered row-major from the top left:
#    0  1  2  3
#    4  5  6  7
#    8  9 10 11
SIZE = (4, 3)


def grid(order, width):
    """The wire order laid out as the matrix rows, for readable expectations."""
    return [list(order[i:i + width]) for i in range(0, len(order), width)]


def test_the_module_examples_hold():
    assert doctest.testmod(drivers.pixelmap).failed == 0


@pytest.mark.parametrize("options, rows", [
    ({}, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
    ({"wiring": "serpentine"}, [[0, 1, 2, 3], [7, 6, 5, 4], [8, 9, 10, 11]]),
    ({"start": "top-right"}, [[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]),
    ({"start": "bottom-left"}, [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]),
    ({"start": "bottom-left", "wiring": "serpentine"},
     [[8, 9, 10, 11], [7, 6, 5, 4], [0, 1, 2, 3]]),
    ({"start": "bottom-right", "wiring": "serpentine"},
     [[11, 10, 9, 8], [4, 5, 6, 7], [3, 2, 1, 0]]),
    ({"flip": "x"}, [[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]),
    ({"flip": "y"}, [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]),
    ({"flip": "xy"}, [[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1, 0]]),
    ({"rotate": 180}, [[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1, 0]]),
], ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_wire_order_on_the_same_shape(options, rows):
    assert grid(PixelMap(SIZE, **options).order, 4) == rows


@pytest.mark.parametrize("options, rows", [
    # Turned a quarter clockwise the left column (8, 4, 0 from the bottom up) is the top row.
    ({"rotate": 90}, [[8, 4, 0], [9, 5, 1], [10, 6, 2], [11, 7, 3]]),
    ({"rotate": 270}, [[3, 7, 11], [2, 6, 10], [1, 5, 9], [0, 4, 8]]),
    ({"rotate": 90, "wiring": "serpentine"}, [[8, 4, 0], [1, 5, 9], [10, 6, 2], [3, 7, 11]]),
    ({"rotate": 90, "flip": "x"}, [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]),
], ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_wire_order_on_a_quarter_turned_matrix(options, rows):
    assert grid(PixelMap(SIZE, **options).order, 3) == rows


def test_to_wire_moves_whole_pixels_and_from_wire_undoes_it():
    mapping = PixelMap((3, 2), wiring="serpentine")
    picture = bytes(range(18))  # pixel p is bytes 3p, 3p+1, 3p+2
    wire = mapping.to_wire(picture)
    assert list(wire[9:18]) == [15, 16, 17, 12, 13, 14, 9, 10, 11]  # second row runs back
    assert wire[:9] == picture[:9]
    assert mapping.from_wire(wire) == picture


def test_a_pygame_frame_maps_as_its_pixels_say():
    frame = pygame.Surface((2, 2))
    frame.fill((0, 0, 0))
    frame.set_at((0, 1), (250, 1, 2))  # bottom left
    wire = PixelMap((2, 2), rotate=90).to_wire(pygame.image.tobytes(frame, "RGB"))
    assert wire[:3] == bytes((250, 1, 2))  # a quarter turn clockwise puts it top left


@pytest.mark.parametrize("wiring, start, rotate, flip", list(itertools.product(
    ("progressive", "serpentine"), ("top-left", "bottom-right"), (0, 90, 180, 270), ("", "xy"))))
def test_every_mapping_is_a_permutation_and_reverses(wiring, start, rotate, flip):
    mapping = PixelMap((5, 3), wiring=wiring, start=start, rotate=rotate, flip=flip)
    assert sorted(mapping.order) == list(range(15))
    picture = bytes(range(45))
    assert mapping.from_wire(mapping.to_wire(picture)) == picture


def test_the_plain_mapping_passes_bytes_through():
    mapping = PixelMap((3, 2))
    picture = bytes(range(18))
    assert mapping.identity and mapping.to_wire(picture) is picture


def test_options_from_a_url():
    mapping = PixelMap.from_options((4, 3), {"wiring": "Serpentine", "rotate": "90",
                                             "flip": "y,x", "start": "top-left", "size": "4x3"})
    assert mapping.describe() == {"wiring": "serpentine", "start": "top-left", "rotate": 90,
                                  "flip": "xy"}


@pytest.mark.parametrize("options, message", [
    ({"wiring": "zigzag"}, "wiring='zigzag' is not valid; use one of progressive, serpentine"),
    ({"rotate": "45"}, "rotate=45 is not valid"),
    ({"rotate": "left"}, "rotate='left' is not a number"),
    ({"flip": "z"}, "flip='z' is not valid"),
    ({"start": "middle"}, "start='middle' is not valid"),
])
def test_bad_options_name_the_field(options, message):
    with pytest.raises(DriverConfigError, match=message):
        PixelMap.from_options((4, 3), options)


def test_level_table_scales_and_corrects_gamma():
    assert level_table() == bytes(range(256))
    half = level_table(50)
    assert bytes([200, 100, 0]).translate(half) == bytes([100, 50, 0])
    gamma = level_table(100, 2.2)
    assert (gamma[0], gamma[255]) == (0, 255) and gamma[128] == 56  # 255 * (128/255)^2.2
    assert level_table(0) == bytes(256)


def test_level_table_refuses_nonsense():
    with pytest.raises(DriverConfigError, match="brightness 101 is outside 0..100"):
        level_table(101)
    with pytest.raises(DriverConfigError, match="gamma 0 is outside"):
        level_table(100, 0)
