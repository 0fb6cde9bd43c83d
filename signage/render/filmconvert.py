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

from fractions import Fraction

import av

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
