"""A video path paired with a control link: `hdmi://0?region=0,0,768,384+novastar:///dev/ttyUSB0`.

The wall's picture goes out over HDMI to the sending card, while brightness, blackout and
test patterns go to the same card over RS-232, which also reports temperature and voltage.
The pair behaves as one driver. Blanking is done on both paths, so the wall goes dark even
when the control link is down; brightness and test patterns fall back to the video path
(software) only while the control link cannot take them.
"""

from __future__ import annotations

import logging

from drivers.base import Driver, DriverError, PanelTelemetry, lend_through, return_through

log = logging.getLogger(__name__)


class PairedDriver:
    def __init__(self, video: Driver, control: Driver):
        self.video = video
        self.control = control
        self.size = video.size

    def open(self) -> None:
        self.video.open()
        try:
            self.control.open()
        except DriverError as exc:
            if not exc.retryable:
                raise
            # The control driver reconnects by itself; the picture must not wait for it.
            log.warning("control link not available yet: %s", exc)

    def present(self, frame, dirty=None) -> None:
        """The picture goes to the video path, with the dirty hint."""
        self.video.present(frame, dirty=dirty)
        try:
            self.control.present(frame)  # counts frames; sends nothing
        except DriverError:
            pass

    def lend_buffer(self):
        """Frame buffers the video driver lends, shown without a copy (drivers.base)."""
        return lend_through(self.video)

    def return_buffer(self, buffer) -> None:
        return_through(self.video, buffer)

    def set_brightness(self, percent: float) -> None:
        self._control_or_video("set_brightness", percent)

    def show_test_pattern(self, pattern: str | None) -> None:
        self._control_or_video("show_test_pattern", pattern)

    def set_power(self, on: bool) -> None:
        self.video.set_power(on)
        try:
            self.control.set_power(on)
        except DriverError as exc:
            if not exc.retryable:
                raise
            log.warning("blackout via the control link failed (video is blanked): %s", exc)

    def _control_or_video(self, method: str, value) -> None:
        try:
            getattr(self.control, method)(value)
        except DriverError as exc:
            if not exc.retryable:
                raise
            log.warning("%s via the control link failed, doing it in software: %s", method, exc)
            getattr(self.video, method)(value)
            return
        if method == "set_brightness":
            self.video.set_brightness(100.0)  # the card dims; the picture stays full

    def telemetry(self) -> PanelTelemetry:
        video, control = self.video.telemetry(), self.control.telemetry()
        return PanelTelemetry(
            link=video.link if control.link == "up" else f"video {video.link}, control {control.link}",
            brightness=control.brightness if control.brightness is not None else video.brightness,
            power=control.power if control.power is not None else video.power,
            test_pattern=control.test_pattern or video.test_pattern,
            frames=video.frames,
            read_at=control.read_at,
            extra={**control.extra, "video": video.as_dict(), "control_link": control.link},
        )

    def close(self) -> None:
        try:
            self.control.close()
        finally:
            self.video.close()
