"""How the HDMI window puts pixels on screen: the cheapest path the box has, chosen by a probe.

- `SurfaceOutput`: SDL's plain window surface, updated only where the frame changed. SDL
  backs that surface with an OpenGL texture unless told not to, and without a GPU Mesa's
  software rasteriser then redraws the whole window on every update (a 64x64 change cost
  13.4 ms of CPU at 1920x1080, against 0.13 ms without). With
  SDL_FRAMEBUFFER_ACCELERATION=0 an update on X11 is an XShmPutImage of each changed
  rectangle. Nothing waits for vsync on this path (nor did the Mesa one: its swrast
  presents with XPutImage too).
- `RendererOutput`: where a GPU draws SDL's renderer (KMS/DRM on ARM boards, an Intel
  iGPU), the changed rectangles go into a streaming texture and the GPU draws it at the
  region (scaling the logical output to the window, if they differ) and presents on vsync.

`probe` says which one fits: a renderer whose OpenGL names a software rasteriser (Mesa's
llvmpipe, softpipe, swrast) is no GPU. Both outputs take the same calls from the window:
`open`, `show(rects, look, frame)`, `redraw_all(look, frame)`.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os

import pygame

SOFTWARE_RASTERISERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "lavapipe",
                        "swiftshader")
GL_RENDERER = 0x1F01
GL_LIBRARIES = {"opengl": "libGL.so.1", "opengles2": "libGLESv2.so.2"}
BLACK = (0, 0, 0)
PRESENT_CHOICES = ("auto", "surface", "gpu")


@dataclasses.dataclass(frozen=True)
class Look:
    """What the region shows: the frame or a flat colour, dimmed to `level` (0..255)."""

    colour: tuple[int, int, int] | None  # None: the frame
    level: int = 255


@dataclasses.dataclass(frozen=True)
class Probe:
    """What the probe found: the first SDL renderer driver that opened, and whether a GPU
    draws it."""

    index: int | None  # SDL renderer driver index; None: none opened
    gpu: bool
    renderer: str  # e.g. "opengl: llvmpipe (LLVM 15.0.6, 256 bits)", for telemetry


def probe() -> Probe:
    """Find an SDL renderer drawn by a GPU; a software rasteriser or any failure is none."""
    from pygame._sdl2 import video

    window = video.Window("signage hdmi probe", size=(16, 16), hidden=True)
    try:
        tried = []
        for index, info in enumerate(video.get_drivers()):
            if info.name in GL_LIBRARIES:
                found = _probe_driver(video, window, index, info.name)
                if found.index is not None:
                    return found
                tried.append(found.renderer)
        return Probe(None, False, "; ".join(tried) or "no OpenGL renderer")
    finally:
        window.destroy()


def _probe_driver(video, window, index: int, name: str) -> Probe:
    try:
        renderer = video.Renderer(window, index=index, accelerated=1)
    except Exception as exc:  # pygame raises its own error class for SDL failures
        return Probe(None, False, f"{name}: {exc}")
    try:
        described = gl_renderer_name(name)
    finally:
        del renderer
    if described is None:
        return Probe(index, False, f"{name}: GL_RENDERER unreadable")
    gpu = not any(word in described.lower() for word in SOFTWARE_RASTERISERS)
    return Probe(index, gpu, f"{name}: {described}")


def gl_renderer_name(driver: str) -> str | None:
    """GL_RENDERER of the context SDL's renderer just made current (None if unreadable)."""
    try:
        library = ctypes.CDLL(GL_LIBRARIES[driver])
    except OSError:
        return None
    library.glGetString.restype = ctypes.c_char_p
    library.glGetString.argtypes = [ctypes.c_uint]
    name = library.glGetString(GL_RENDERER)
    return name.decode(errors="replace") if name else None


class SurfaceOutput:
    """The window surface, updated rectangle by rectangle (XShm on X11)."""

    name = "surface"

    def __init__(self, region: pygame.Rect, display: int):
        self.region = region
        self.display = display
        self.screen: pygame.Surface | None = None

    def open(self, mode: tuple[int, int], desktop: tuple[int, int]) -> dict:
        if pygame.display.get_driver() == "x11":
            # Read by SDL when the window surface is first made: XShm, not a GL texture.
            # (Elsewhere, e.g. KMS, SDL has no plain framebuffer: its default stays.)
            os.environ["SDL_FRAMEBUFFER_ACCELERATION"] = "0"
        flags = pygame.FULLSCREEN | pygame.NOFRAME
        self.screen = pygame.display.set_mode(mode, flags, display=self.display)
        if self.screen.get_size() != tuple(mode):
            raise pygame.error(f"asked for mode {mode[0]}x{mode[1]}, got {self.screen.get_size()}")
        return {"vsync": False, "size": list(self.screen.get_size()),
                "pixel_format": pixel_format(self.screen)}

    def show(self, rects: list[pygame.Rect], look: Look, frame: pygame.Surface) -> None:
        """Draw these rectangles of the region (panel coordinates) and send only them."""
        on_screen = [self._draw(rect, look, frame) for rect in rects]
        pygame.display.update(on_screen)

    def redraw_all(self, look: Look, frame: pygame.Surface) -> None:
        """Everything again (black around the region), e.g. after an expose or a resize."""
        self.screen = pygame.display.get_surface()  # a resize makes SDL a new surface
        self.screen.fill(BLACK)
        self._draw(pygame.Rect((0, 0), self.region.size), look, frame)
        pygame.display.flip()

    def _draw(self, rect: pygame.Rect, look: Look, frame: pygame.Surface) -> pygame.Rect:
        on_screen = rect.move(self.region.topleft)
        if look.colour is None:
            self.screen.blit(frame, on_screen, rect)
        else:
            self.screen.fill(look.colour, on_screen)
        if look.level < 255:
            self.screen.fill((look.level,) * 3, on_screen, special_flags=pygame.BLEND_MULT)
        return on_screen


class RendererOutput:
    """A streaming texture of the region on a GPU renderer, presented on vsync."""

    name = "gpu"

    def __init__(self, region: pygame.Rect, display: int, index: int):
        self.region = region
        self.display = display
        self.index = index
        self.window = self.renderer = self.texture = None

    def open(self, mode: tuple[int, int], desktop: tuple[int, int]) -> dict:
        from pygame._sdl2 import video

        where = 0x1FFF0000 | self.display  # SDL_WINDOWPOS_UNDEFINED_DISPLAY(display)
        # At the desktop size no mode switch (compositors and KMS keep their timing);
        # another mode is a real one, as the card captures the output pixel for pixel.
        fullscreen = {"fullscreen_desktop": True} if tuple(mode) == tuple(desktop) else \
            {"fullscreen": True}
        self.window = video.Window("signage hdmi", size=mode, position=(where, where),
                                   borderless=True, **fullscreen)
        self.renderer = video.Renderer(self.window, index=self.index, accelerated=1, vsync=True)
        self.renderer.logical_size = tuple(mode)  # the GPU scales it to the window
        self.texture = video.Texture(self.renderer, self.region.size, streaming=True)
        self.texture.blend_mode = 0  # SDL_BLENDMODE_NONE: the frame's fourth byte is padding
        # vsync as asked: pygame does not say whether SDL got it.
        return {"vsync": True, "size": list(mode), "pixel_format": "ARGB8888 texture"}

    def show(self, rects: list[pygame.Rect], look: Look, frame: pygame.Surface) -> None:
        for rect in rects:  # the texture follows the frame even under a test pattern
            self.texture.update(frame.subsurface(rect), rect)
        self._present(look)

    def redraw_all(self, look: Look, frame: pygame.Surface) -> None:
        self.texture.update(frame)
        self._present(look)

    def _present(self, look: Look) -> None:
        renderer = self.renderer
        renderer.draw_color = (*BLACK, 255)
        renderer.clear()
        if look.colour is None:
            self.texture.color = (look.level,) * 3  # dimming is the GPU's colour modulation
            self.texture.draw(dstrect=self.region)
        else:
            renderer.draw_color = (*(round(c * look.level / 255) for c in look.colour), 255)
            renderer.fill_rect(self.region)
        renderer.present()


def pixel_format(surface: pygame.Surface) -> str:
    """The surface's layout as a name like 'XRGB8888' (channels from the top bit down)."""
    if surface.get_bitsize() != 32:
        return f"{surface.get_bitsize()}bpp masks {surface.get_masks()}"
    masks = dict(zip("RGBA", surface.get_masks()))
    if not masks["A"]:
        del masks["A"]
        masks["X"] = 0xFFFFFFFF & ~(masks["R"] | masks["G"] | masks["B"])
    return "".join(sorted(masks, key=masks.get, reverse=True)) + "8888"


def choose_output(present: str, region: pygame.Rect, display: int):
    """The output for `present` ('auto' probes) and what the probe found, for telemetry."""
    if present == "surface":
        return SurfaceOutput(region, display), "not probed (present=surface)"
    try:
        found = probe()
    except Exception as exc:  # a broken GL stack must cost the GPU path, not the window
        found = Probe(None, False, f"probe failed: {exc}")
    if found.gpu or (present == "gpu" and found.index is not None):
        return RendererOutput(region, display, found.index), found.renderer
    if present == "gpu":
        raise pygame.error(f"present=gpu, but no SDL renderer opened ({found.renderer})")
    return SurfaceOutput(region, display), found.renderer
