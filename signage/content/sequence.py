"""Where a looping playlist is at a given moment. Pure: durations and elapsed time in."""

from __future__ import annotations

import bisect
import dataclasses
import itertools


@dataclasses.dataclass(frozen=True)
class Position:
    index: int  # which item
    into: float  # seconds since that item started
    remaining: float  # seconds until the next item
    loop: int  # how many times the playlist has wrapped


def position(durations: list[float], elapsed: float) -> Position:
    """The item playing `elapsed` seconds after the playlist started, looping forever.

    >>> position([10, 5], 12)
    Position(index=1, into=2.0, remaining=3.0, loop=0)
    >>> position([10, 5], 15)
    Position(index=0, into=0.0, remaining=10.0, loop=1)
    """
    if not durations or min(durations) <= 0:
        raise ValueError("a playlist needs items with positive durations")
    total = sum(durations)
    loop, offset = divmod(max(0.0, elapsed), total)
    ends = list(itertools.accumulate(durations))
    index = min(bisect.bisect_right(ends, offset), len(durations) - 1)
    start = ends[index] - durations[index]
    into = offset - start
    return Position(index, float(into), float(durations[index] - into), int(loop))
