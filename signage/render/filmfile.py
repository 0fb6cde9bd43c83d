"""What a film file's header says (PyAV, no pygame): its size, codec and length.

Shared by the player's decoder (`video`) and the upload checks (`signage.media.film`),
which must not load pygame.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av

SHORT_FILM_SLACK_S = 0.5  # a film this much shorter than its header says is truncated


class FilmError(Exception):
    """A film that cannot play (missing, damaged, no video); the stage skips the item."""


@dataclasses.dataclass(frozen=True)
class FilmInfo:
    """What opening a film tells: its picture size, codec and length in seconds."""

    width: int
    height: int
    codec: str
    length: float
    rate: float


def film_info(path: Path) -> FilmInfo:
    """Open the film at `path` and read its header. FilmError if it is not a film."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = video_stream(container)
            length = declared_length(container, stream)
            rate = float(stream.average_rate or stream.guessed_rate or 0)
            return FilmInfo(stream.codec_context.width, stream.codec_context.height,
                            stream.codec_context.name, length, rate)
    except FilmError:
        raise
    except FileNotFoundError:
        raise FilmError(f"film file {path} is missing") from None
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise FilmError(f"cannot open the film {path.name}: {exc}") from None


def video_stream(container):
    """The film's (first) picture stream; FilmError if it has none."""
    if not container.streams.video:
        raise FilmError("the file has no video stream")
    return container.streams.video[0]


def declared_length(container, stream) -> float:
    """The film's length in seconds as its header says (0 if it does not say)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0
