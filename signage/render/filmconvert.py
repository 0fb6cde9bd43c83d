"""Scaling and converting a film's decoded frames to the frame format, into pooled buffers.

`VideoFrame.reformat` allocates a new output buffer for every frame (and a new swscale
context with it). At 1920x1080 that is 8 MB a frame which, with the player's rule that
buffers over 1 MB get their own mapping (`player.memory`), is mapped, faulted in page by
page and unmapped 30 times a second: measured here, that doubled the CPU a film's
conversion costs (0.21 against 0.13 of a core with the decode). An FFmpeg filter graph
(buffer -> scale -> format -> buffersink) gives its frames out of a buffer pool instead:
a frame let go of goes back to the pool and is filled again, so after the first few
frames no memory is mapped or zeroed. The graph runs without the GIL.

The graph is set up for the first frame's size and pixel format and again whenever
they change (a stream may change size mid-way).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import logging
import os
from fractions import Fraction

import av
import pygame

log = logging.getLogger(__name__)

FRAME_FORMAT = "bgra"  # FFmpeg's name for the frame surfaces' byte order (XRGB8888 LE)
SCALER = "bilinear"  # swscale's method, as VideoFrame.reformat uses by default


class FrameConverter:
    """Converts decoded frames to `size` in FRAME_FORMAT; one per decoding thread."""

    def __init__(self, size: tuple[int, int]):
        self.size = tuple(size)
        self._graph: av.filter.Graph | None = None
        self._source_shape: tuple | None = None

    def convert(self, frame: av.VideoFrame) -> av.VideoFrame:
        """`frame` scaled and converted; its buffer returns to the pool once let go of."""
        shape = (frame.width, frame.height, frame.format.name)
        if shape != self._source_shape:
            self._graph = self._build(frame)
            self._source_shape = shape
        self._graph.push(frame)
        return self._graph.pull()

    def _build(self, frame: av.VideoFrame) -> av.filter.Graph:
        graph = av.filter.Graph()
        source = graph.add_buffer(width=frame.width, height=frame.height,
                                  format=frame.format.name,
                                  time_base=frame.time_base or Fraction(1, 1000))
        width, height = self.size
        scale = graph.add("scale", f"{width}:{height}:flags={SCALER}")
        convert = graph.add("format", FRAME_FORMAT)
        sink = graph.add("buffersink")
        source.link_to(scale)
        scale.link_to(convert)
        convert.link_to(sink)
        graph.configure()
        return graph


# --- swscale called directly: into a frame-format surface's own pixels ---------------------

SWS_BILINEAR = 2
SWS_CS_DEFAULT = 5  # ITU-R BT.601, swscale's default
# AVColorSpace (what a frame says it is) -> swscale's SWS_CS_* coefficient table.
SWS_COLORSPACE = {1: 1, 4: 4, 5: 5, 6: 5, 7: 7, 9: 9, 10: 9}
AVCOL_RANGE_JPEG = 2  # full-range YUV


class SurfaceScaler:
    """Scales and converts a decoded frame straight into a pygame surface in the frame
    format (XRGB8888, byte order B, G, R, X), calling libswscale through ctypes.

    A film frame in the frame format is copied by a plain memcpy when presented. pygame
    can wrap a frame in FFmpeg's own buffer only as BGRA, with an alpha channel, and such
    a frame takes SDL's converting blit: 50 % slower from memory at 1920x1080 (1.6 against
    1.1 ms here). swscale runs without the GIL (ctypes releases it). One per decoding
    thread."""

    def __init__(self, libraries: "_Libraries"):
        self._lib = libraries
        self._context = None
        self._details: tuple | None = None  # (context, colorspace, full range) last set
        self._formats: dict[str, int] = {}

    def scale_into(self, frame: av.VideoFrame, surface) -> None:
        """Write `frame`, scaled to the surface's size, into the surface's pixels."""
        lib = self._lib
        width, height = surface.get_size()
        source = self._format(frame.format.name)
        self._context = lib.sws.sws_getCachedContext(
            self._context, frame.width, frame.height, source, width, height,
            self._format(FRAME_FORMAT), SWS_BILINEAR, None, None, None)
        if not self._context:
            raise ValueError(f"swscale cannot convert {frame.format.name} "
                             f"{frame.width}x{frame.height} to {width}x{height}")
        self._colours(frame)
        planes = frame.planes
        sources = (ctypes.c_void_p * 4)(*[plane.buffer_ptr for plane in planes])
        strides = (ctypes.c_int * 4)(*[plane.line_size for plane in planes])
        target = (ctypes.c_void_p * 4)(surface._pixels_address)
        pitch = (ctypes.c_int * 4)(surface.get_pitch())
        if lib.sws.sws_scale(self._context, sources, strides, 0, frame.height, target, pitch) <= 0:
            raise ValueError(f"swscale failed on a {frame.format.name} frame")

    def _colours(self, frame: av.VideoFrame) -> None:
        """The YUV matrix and range the frame says it has (BT.601, limited, if it does
        not say), as VideoFrame.reformat reads them; set again only when they change."""
        colorspace = SWS_COLORSPACE.get(frame.colorspace, SWS_CS_DEFAULT)
        full_range = frame.color_range == AVCOL_RANGE_JPEG or frame.format.name.startswith("yuvj")
        details = (self._context, colorspace, full_range)
        if details != self._details:
            sws = self._lib.sws
            # Refused (-1) for a source that is not YUV: nothing to set then.
            sws.sws_setColorspaceDetails(self._context, sws.sws_getCoefficients(colorspace),
                                         int(full_range), sws.sws_getCoefficients(SWS_CS_DEFAULT),
                                         1, 0, 1 << 16, 1 << 16)
            self._details = details

    def _format(self, name: str) -> int:
        if name not in self._formats:
            number = self._lib.avutil.av_get_pix_fmt(name.encode("ascii"))
            if number < 0:
                raise ValueError(f"FFmpeg knows no pixel format {name!r}")
            self._formats[name] = number
        return self._formats[name]

    def close(self) -> None:
        if self._context:
            self._lib.sws.sws_freeContext(self._context)
            self._context = None


class _Libraries:
    """libswscale and libavutil as PyAV loaded them, with the signatures used here."""

    def __init__(self, sws, avutil):
        self.sws, self.avutil = sws, avutil
        pointer, number = ctypes.c_void_p, ctypes.c_int
        sws.sws_getCachedContext.restype = pointer
        sws.sws_getCachedContext.argtypes = [pointer] + [number] * 7 + [pointer] * 3
        sws.sws_getCoefficients.restype = ctypes.POINTER(number)
        sws.sws_getCoefficients.argtypes = [number]
        sws.sws_setColorspaceDetails.restype = number
        sws.sws_setColorspaceDetails.argtypes = [pointer, ctypes.POINTER(number), number,
                                                 ctypes.POINTER(number)] + [number] * 4
        sws.sws_scale.restype = number
        sws.sws_scale.argtypes = [pointer, ctypes.POINTER(pointer), ctypes.POINTER(number),
                                  number, number, ctypes.POINTER(pointer), ctypes.POINTER(number)]
        sws.sws_freeContext.restype = None
        sws.sws_freeContext.argtypes = [pointer]
        avutil.av_get_pix_fmt.restype = number
        avutil.av_get_pix_fmt.argtypes = [ctypes.c_char_p]


_LIBRARIES: list = []  # [the _Libraries, or None if they cannot be loaded], once looked for


def surface_scaler() -> SurfaceScaler | None:
    """A SurfaceScaler, or None where PyAV's libswscale cannot be loaded through ctypes
    (then films are converted by FrameConverter, into frames with an alpha channel)."""
    if not _LIBRARIES:  # the surfaces' pixel address is pygame 2's (and pygame-ce's)
        usable = hasattr(pygame.Surface, "_pixels_address")
        _LIBRARIES.append(_load_libraries() if usable else None)
    return SurfaceScaler(_LIBRARIES[0]) if _LIBRARIES[0] is not None else None


def _load_libraries() -> "_Libraries | None":
    """The libraries PyAV uses: bundled beside it (its wheels), or the system's."""
    bundled = os.path.join(os.path.dirname(os.path.dirname(av.__file__)), "av.libs")
    found = []
    for name in ("swscale", "avutil"):
        paths = sorted(glob.glob(os.path.join(bundled, f"lib{name}-*.so*")))
        found.append(paths[0] if paths else ctypes.util.find_library(name))
    try:
        if None in found:
            raise OSError("not found")
        return _Libraries(ctypes.CDLL(found[0]), ctypes.CDLL(found[1]))
    except (OSError, AttributeError) as exc:
        log.warning(
            "films are converted through a filter graph: libswscale could not be "
            "loaded directly (%s)", exc)
        return None
