"""How the HDMI window presents, under a real Xvfb read back by screenshot: the probe's
choice (no GPU here: the window surface), the GPU renderer path forced onto Mesa's software
rasteriser (the same pixels), and the whole picture drawn again after X loses it (a window
over ours, a resize)."""

import ctypes
import time

import pygame
import pytest

from drivers.base import DriverConfigError
from drivers.hdmi import HdmiDriver
from drivers.hdmi_output import SOFTWARE_RASTERISERS
from drivers.hdmi_window import HdmiConfig
from drivers.registry import open_driver
from tests.test_hdmi import REGION, SCREEN, fake_clock, known_picture, region_and_rest, xvfb  # noqa: F401


def open_hdmi(xvfb, clock, present="auto") -> HdmiDriver:
    driver = HdmiDriver(HdmiConfig(0, REGION, None, present), clock=clock,
                        env={"SDL_VIDEODRIVER": "x11", "DISPLAY": xvfb.display})
    driver.open()
    return driver


def wait_for_screen(xvfb, wanted: bytes, timeout: float = 10.0):
    """Poll the screen until the region shows `wanted` (a real child redraws on its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inside, rest = region_and_rest(xvfb)
        if inside == wanted:
            return rest
        time.sleep(0.02)  # polling a real child process, not waiting for time to pass
    raise AssertionError("the region never showed the frame again")


class XClient:
    """A second X client, as a window manager or another program would be (ctypes Xlib)."""

    def __init__(self, display: str):
        x = self.x = ctypes.CDLL("libX11.so.6")
        x.XOpenDisplay.restype = ctypes.c_void_p
        for name in ("XDefaultRootWindow", "XCreateSimpleWindow", "XWhitePixel"):
            getattr(x, name).restype = ctypes.c_ulong
        x.XCreateSimpleWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                                          ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                          ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulong]
        for name in ("XMapRaised", "XDestroyWindow", "XSync", "XResizeWindow", "XQueryTree",
                     "XGetGeometry", "XCloseDisplay", "XDefaultRootWindow", "XWhitePixel"):
            getattr(x, name).argtypes = None
        self.dpy = ctypes.c_void_p(x.XOpenDisplay(display.encode()))
        self.root = ctypes.c_ulong(x.XDefaultRootWindow(self.dpy))

    def full_screen_windows(self) -> list[int]:
        root, parent, children, count = (ctypes.c_ulong(), ctypes.c_ulong(),
                                          ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint())
        self.x.XQueryTree(self.dpy, self.root, ctypes.byref(root), ctypes.byref(parent),
                          ctypes.byref(children), ctypes.byref(count))
        return [children[i] for i in range(count.value) if self.size(children[i]) == SCREEN]

    def size(self, window: int) -> tuple[int, int]:
        ints = [ctypes.c_int() for _ in range(2)] + [ctypes.c_uint() for _ in range(4)]
        root = ctypes.c_ulong()
        self.x.XGetGeometry(self.dpy, ctypes.c_ulong(window), ctypes.byref(root),
                            *map(ctypes.byref, ints))
        return ints[2].value, ints[3].value

    def resize(self, window: int, size: tuple[int, int]) -> None:
        self.x.XResizeWindow(self.dpy, ctypes.c_ulong(window), ctypes.c_uint(size[0]),
                             ctypes.c_uint(size[1]))
        self.x.XSync(self.dpy, 0)

    def cover(self, box: tuple[int, int, int, int]) -> int:
        """Map a white window over `box` (x, y, w, h); its id."""
        white = self.x.XWhitePixel(self.dpy, 0)
        window = self.x.XCreateSimpleWindow(self.dpy, self.root, *box, 0, white, white)
        self.x.XMapRaised(self.dpy, ctypes.c_ulong(window))
        self.x.XSync(self.dpy, 0)
        return window

    def destroy(self, window: int) -> None:
        self.x.XDestroyWindow(self.dpy, ctypes.c_ulong(window))
        self.x.XSync(self.dpy, 0)

    def close(self) -> None:
        self.x.XCloseDisplay(self.dpy)


@pytest.fixture
def xclient(xvfb):
    client = XClient(xvfb.display)
    yield client
    client.close()


def test_present_option_is_checked_in_the_url():
    assert open_driver("hdmi://0?region=0,0,64,32&present=surface").config.present == "surface"
    assert open_driver("hdmi://0?region=0,0,64,32").config.present == "auto"
    with pytest.raises(DriverConfigError, match="present='fast': choose one of auto, surface, gpu"):
        open_driver("hdmi://0?region=0,0,64,32&present=fast")


def test_without_a_gpu_the_probe_chooses_the_window_surface(xvfb, fake_clock):
    driver = open_hdmi(xvfb, fake_clock)
    try:
        extra = driver.telemetry().extra
        assert extra["present"] == "surface" and extra["vsync"] is False
        # Xvfb's GL is Mesa's software rasteriser, or none at all: either way no GPU.
        found = extra["renderer"].lower()
        assert any(word in found for word in SOFTWARE_RASTERISERS) or "opengl" not in found
        frame, rgb = known_picture()
        driver.present(frame)
        assert region_and_rest(xvfb) == (rgb, None)
    finally:
        driver.close()


def test_a_still_frame_sends_nothing_and_a_dead_window_is_still_noticed(xvfb, fake_clock):
    driver = open_hdmi(xvfb, fake_clock)
    try:
        frame, rgb = known_picture()
        driver.present(frame)
        updates = driver.telemetry().extra["updates"]
        frame.fill((255, 255, 255))  # drawn into, but the compositor says nothing changed
        for _ in range(5):
            driver.present(frame, dirty=[])
        telemetry = driver.telemetry()
        assert telemetry.extra["updates"] == updates and telemetry.frames == 6
        assert region_and_rest(xvfb)[0] == rgb
        xvfb.stop()
        deadline = time.monotonic() + 10
        while driver.telemetry().link == "up" and time.monotonic() < deadline:
            driver.present(frame, dirty=[])
            time.sleep(0.02)  # polling a real child process
        telemetry = driver.telemetry()
        assert telemetry.link == "down" and "server" in telemetry.extra["last_error"]
    finally:
        driver.close()


def test_the_gpu_path_shows_the_same_pixels(xvfb, fake_clock):
    """Forced onto Mesa's software rasteriser: the renderer path's pixels, not its speed."""
    driver = open_hdmi(xvfb, fake_clock, present="gpu")
    try:
        telemetry = driver.telemetry()
        assert telemetry.link == "up", telemetry.extra["last_error"]
        assert telemetry.extra["present"] == "gpu" and telemetry.extra["vsync"] is True
        frame, rgb = known_picture()
        driver.present(frame)
        assert region_and_rest(xvfb) == (rgb, None)
        changed = frame.copy()
        changed.fill((9, 200, 40), (5, 6, 7, 8))
        driver.present(changed, dirty=[pygame.Rect(5, 6, 7, 8)])
        assert region_and_rest(xvfb) == (pygame.image.tobytes(changed, "RGB"), None)
        driver.show_test_pattern("blue")
        assert xvfb.screenshot().getpixel((REGION[0] + 3, REGION[1] + 3)) == (0, 0, 255)
        driver.show_test_pattern(None)
        driver.set_brightness(50)
        dimmed = xvfb.screenshot().getpixel((REGION[0] + 6, REGION[1] + 7))
        assert all(abs(got - full / 2) <= 1 for got, full in zip(dimmed, (9, 200, 40)))
        driver.set_power(False)
        assert region_and_rest(xvfb) == (bytes(len(rgb)), None)
    finally:
        driver.close()


@pytest.mark.parametrize("present", ["surface", "gpu"])
@pytest.mark.parametrize("lent", [False, True], ids=["copied", "lent"])
def test_a_window_over_ours_and_a_resize_are_drawn_over_with_the_frame(
        xvfb, xclient, fake_clock, present, lent):
    driver = open_hdmi(xvfb, fake_clock, present)
    try:
        frame, rgb = known_picture()
        driver.present(frame)
        if lent:  # a buffer the driver lent, shown from its own slot, not slot 0's picture
            frame = driver.lend_buffer()
            frame.fill((90, 0, 180))
            rgb = bytes((90, 0, 180)) * (len(rgb) // 3)
            driver.present(frame)
        cover = xclient.cover((REGION[0] - 5, REGION[1] - 5, 40, 40))
        assert region_and_rest(xvfb)[0] != rgb  # the white window hides part of the region
        xclient.destroy(cover)  # X asks us to draw what it uncovered; nothing is presented
        assert wait_for_screen(xvfb, rgb) is None

        [window] = xclient.full_screen_windows()
        xclient.resize(window, (60, 50))  # the region is now mostly outside the window
        xclient.resize(window, SCREEN)
        assert wait_for_screen(xvfb, rgb) is None  # drawn whole again, black around it
    finally:
        driver.close()

