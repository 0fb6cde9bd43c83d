"""Pixel helpers shared by the rendering tests."""

from __future__ import annotations


def bands(rows: list[int]) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of consecutive row numbers, top to bottom."""
    found: list[list[int]] = []
    for y in sorted(rows):
        if found and y == found[-1][1]:
            found[-1][1] = y + 1
        else:
            found.append([y, y + 1])
    return [tuple(band) for band in found]
