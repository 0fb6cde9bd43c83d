"""Film uploads: the container and codec decided by probing the content, limits on length
and size, the stored copy without metadata, and the transcode to the panel's size.

Every refusal is a ContentError on the field `asset` whose reason names what was found
and what to do. Films are read from files (they are too large to hold in memory).
"""

from __future__ import annotations

import dataclasses
import logging
from fractions import Fraction
from pathlib import Path
from typing import Callable

import av

from signage.errors import ContentError
from signage.render.filmfile import SHORT_FILM_SLACK_S, declared_length

log = logging.getLogger(__name__)

FIELD = "asset"
# Codecs the wall plays (when this FFmpeg build has a decoder for them), by FFmpeg's name.
ACCEPTED_CODECS = {"h264": "H.264", "hevc": "H.265", "vp9": "VP9", "av1": "AV1"}
# FFmpeg demuxer name -> what a stored film of that container is called.
ACCEPTED_CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": ("video/mp4", "mp4"),
                       "matroska,webm": ("video/x-matroska", "matroska")}
FILM_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".webm")
MAX_FILM_S = 2 * 3600.0
MAX_FILM_SIDE = 4096  # pixels: 4K (3840x2160 and DCI 4096x2160) is the largest accepted
TRANSCODE_CRF = 20  # H.264 quality of the panel-size copy (lower is better; 18-23 is usual)
TRANSCODE_PRESET = "veryfast"
PROGRESS_EVERY_S = 1.0  # of film: how often a transcode reports its progress


@dataclasses.dataclass(frozen=True)
class FilmFacts:
    """What probing a film found (what the asset store records, and more)."""

    media_type: str
    width: int
    height: int
    codec: str
    length: float
    muxer: str  # the FFmpeg muxer that writes this container


def looks_like_film(head: bytes) -> bool:
    """Whether the first bytes are an MP4/QuickTime or Matroska/WebM container."""
    return head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3"


def probe_film(path: Path, max_seconds: float = MAX_FILM_S) -> FilmFacts:
    """Open the film at `path` by its content and check it whole: an accepted container
    and codec, within the limits, every packet present. ContentError says why not."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            facts = _facts(container, path)
            _check_limits(facts, max_seconds)
            _check_complete(container, facts)
            return facts
    except av.FFmpegError as exc:
        raise _refused(f"{_what_it_is(path)} ({exc.strerror or exc}); upload an MP4, MKV or "
                       "WebM film with H.264, H.265, VP9 or AV1 video") from None


def _facts(container, path: Path) -> FilmFacts:
    container_name = container.format.name
    if container_name not in ACCEPTED_CONTAINERS:
        raise _refused(f"is a {container.format.long_name} file; upload an MP4, MKV or WebM film")
    if not container.streams.video:
        raise _refused("has no picture (no video stream); upload a film with video")
    stream = container.streams.video[0]
    codec = stream.codec_context.name
    if codec not in ACCEPTED_CODECS or codec not in av.codecs_available:
        long_name = stream.codec_context.codec.long_name
        raise _refused(f"is coded as {long_name} ({codec}); the wall plays "
                       + ", ".join(name for key, name in ACCEPTED_CODECS.items()
                                   if key in av.codecs_available)
                       + ": export it again as H.264 MP4")
    length = declared_length(container, stream)
    media_type, muxer = ACCEPTED_CONTAINERS[container_name]
    if codec in ("vp9", "av1") and container_name.startswith("matroska"):
        media_type = "video/webm"
    return FilmFacts(media_type, stream.codec_context.width, stream.codec_context.height,
                     codec, length, muxer)


def _check_limits(facts: FilmFacts, max_seconds: float) -> None:
    if not (0 < facts.width <= MAX_FILM_SIDE and 0 < facts.height <= MAX_FILM_SIDE):
        raise _refused(f"is {facts.width}x{facts.height} pixels; the largest accepted is "
                       f"{MAX_FILM_SIDE}x{MAX_FILM_SIDE} (4K): scale it down")
    if facts.length > max_seconds:
        raise _refused(f"lasts {facts.length / 60:.0f} minutes; the limit is "
                       f"{max_seconds / 60:.0f}: cut it into parts")


def _check_complete(container, facts: FilmFacts) -> None:
    """Read every packet (no decoding) and decode the first frames: a file cut short or
    damaged is refused now, not found out on the wall."""
    stream = container.streams.video[0]
    end = 0.0
    decoded = 0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base is not None:
            span = float((packet.duration or 0) * packet.time_base)
            end = max(end, float(packet.pts * packet.time_base) + span)
        if decoded < 3 and packet.size:
            decoded += len(packet.decode())
    start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    if decoded == 0 and end == 0.0:
        raise _refused("has no frames that can be decoded; export it again")
    if facts.length and end - start < facts.length - SHORT_FILM_SLACK_S:
        raise _refused(f"stops at {end - start:.1f}s of the {facts.length:.1f}s its header "
                       "announces: it is damaged or was cut short; upload it again")


def _what_it_is(path: Path) -> str:
    """A refusal's opening: what the file looks like, for a file FFmpeg cannot read."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if not head:
        return "is empty"
    try:
        head.decode("utf-8")
        return "is a text file, not a film"
    except UnicodeDecodeError:
        pass
    if looks_like_film(head):
        return "is a damaged or cut-short film that cannot be opened"
    return "is not a film FFmpeg can read"


def stripped_copy(source: Path, target: Path, facts: FilmFacts) -> None:
    """Copy the film's video packets into a new file of the same container, without its
    metadata (titles, GPS, camera names) or its sound (the wall has no speakers)."""
    with av.open(str(source), metadata_errors="ignore") as src, \
            av.open(str(target), "w", format=facts.muxer) as out:
        src_stream = src.streams.video[0]
        out_stream = out.add_stream_from_template(src_stream)
        out_stream.metadata.clear()
        for packet in src.demux(src_stream):
            if packet.dts is None:
                continue  # the demuxer's flush packet
            packet.stream = out_stream
            out.mux(packet)
        out.metadata.clear()


def needs_transcode(facts: FilmFacts, panel: tuple[int, int]) -> bool:
    """Whether the film is larger than a panel of `panel` needs (so it gets a copy that size)."""
    width, height = panel_copy_size(facts, panel)
    return facts.width > width or facts.height > height


def panel_copy_size(facts: FilmFacts, panel: tuple[int, int]) -> tuple[int, int]:
    """The smallest size (even, as H.264 wants) at the film's shape that covers the panel:
    enough for any fit on that panel, without scaling up."""
    scale = min(1.0, max(panel[0] / facts.width, panel[1] / facts.height))
    return (max(2, round(facts.width * scale / 2) * 2), max(2, round(facts.height * scale / 2) * 2))


def transcode(source: Path, target: Path, size: tuple[int, int], length: float,
              progress: Callable[[float], None]) -> None:
    """Write the film at `size` as H.264 MP4 to `target`, calling `progress(percent)`
    about every second of film. Frame times are kept (variable frame rates stay so)."""
    with av.open(str(source), metadata_errors="ignore") as src, \
            av.open(str(target), "w", format="mp4") as out:
        src_stream = src.streams.video[0]
        src_stream.thread_type = "AUTO"
        rate = src_stream.average_rate or Fraction(30)
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = src_stream.time_base
        stream.codec_context.time_base = src_stream.time_base
        stream.options = {"crf": str(TRANSCODE_CRF), "preset": TRANSCODE_PRESET}
        start = float(src_stream.start_time * src_stream.time_base) if src_stream.start_time else 0.0
        reported = 0.0
        for frame in src.decode(src_stream):
            scaled = frame.reformat(size[0], size[1], "yuv420p")
            scaled.pts, scaled.time_base = frame.pts, frame.time_base
            for packet in stream.encode(scaled):
                out.mux(packet)
            at = float(frame.pts * src_stream.time_base) - start if frame.pts is not None else 0.0
            if at - reported >= PROGRESS_EVERY_S and length > 0:
                reported = at
                progress(min(99.0, 100.0 * at / length))
        for packet in stream.encode():
            out.mux(packet)
    progress(100.0)


def _refused(reason: str) -> ContentError:
    return ContentError([(FIELD, reason)])
