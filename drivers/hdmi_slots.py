"""The frame slots the HDMI driver shares with its window process (drivers.hdmi).

One shareable file (a memfd) holds 1 + LENT_BUFFERS slots of one frame each, w*h*4
bytes, XRGB8888 (bytes B, G, R, x: pygame's default 32-bit surface and the window
surface's format, so the window's blits stay plain copies):
- slot 0 is the driver's copy of the plain frames it is given (present copies into it);
- slots 1..LENT_BUFFERS are lent to the player (drivers.base's LendsBuffers): a film is
  decoded straight into one, and present names the slot instead of copying 8 MB.

Lent surfaces are tracked by identity with weak references only: the player's film ring
reuses a surface when nobody else holds it (sys.getrefcount), so the driver holds just
the buffer presented last, which the window may have to draw again at any time.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import threading
import weakref

import pygame

# A film's ring needs: the frames decoded ahead and waiting, the one shown, and the one
# swscale is writing: 6 covers it. Each slot costs w*h*4 bytes of shared memory (8 MB at
# 1920x1080: 7 slots with slot 0 take 56 MB), though a memfd's pages are only allocated
# once written, so slots never lent cost nothing.
LENT_BUFFERS = 6


def shareable_file(size: int) -> int:
    """A descriptor of `size` zero bytes that the window process can map as well."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("signage-hdmi-frame")
    else:
        with tempfile.TemporaryFile() as file:
            fd = os.dup(file.fileno())
    os.ftruncate(fd, size)
    return fd


def shared_frame(buffer, size: tuple[int, int]) -> pygame.Surface:
    """A surface over shared memory: XRGB8888 with the fourth byte ignored (blending off),
    so blits into and out of it are copies and an alpha byte of 0 shows no differently."""
    surface = pygame.image.frombuffer(buffer, size, "BGRA")
    surface.set_alpha(None)
    return surface


def slot_frame(mapping: mmap.mmap, size: tuple[int, int], slot: int) -> pygame.Surface:
    """A surface over slot `slot` of the mapped file. The surface holds its own view, so
    the mapping cannot be closed under it (mmap.close raises BufferError meanwhile)."""
    length = size[0] * size[1] * 4
    with memoryview(mapping) as whole:
        return shared_frame(whole[slot * length:(slot + 1) * length], size)


class FrameSlots:
    """The driver's side of the slots: the copy in slot 0, the lent ones, the shown one.
    `lend` and `give_back` may be called from any thread (a film's decoder)."""

    def __init__(self, size: tuple[int, int], lendable: int = LENT_BUFFERS):
        self.size = tuple(size)
        self.count = 1 + lendable
        length = size[0] * size[1] * 4 * self.count
        self.fd = shareable_file(length)
        self._mapping: mmap.mmap | None = mmap.mmap(self.fd, length)
        self.copy: pygame.Surface | None = slot_frame(self._mapping, self.size, 0)
        self.copy.fill((0, 0, 0))
        self._lock = threading.Lock()
        self._lent: weakref.WeakKeyDictionary[pygame.Surface, int] = weakref.WeakKeyDictionary()
        self.shown_slot = 0  # the slot the window shows (or will, once it is up)
        self._shown: pygame.Surface | None = None  # the lent buffer in it, held

    def lend(self) -> pygame.Surface | None:
        """A surface over a free lendable slot, or None when all are out (or closed). A
        lent surface that dies unreturned frees its slot (its weak reference goes)."""
        with self._lock:
            if self._mapping is None:
                return None
            taken = {*self._lent.values(), self.shown_slot}
            free = next((k for k in range(1, self.count) if k not in taken), None)
            if free is None:
                return None
            surface = slot_frame(self._mapping, self.size, free)
            self._lent[surface] = free
            return surface

    def give_back(self, surface: pygame.Surface) -> None:
        """The slot is free again, unless it is the one shown: it stays out until a
        frame replaces it (the window may draw it again meanwhile)."""
        with self._lock:
            self._lent.pop(surface, None)

    def slot_of(self, frame: pygame.Surface) -> int:
        """The lent slot `frame` is over, or 0 for any other surface (to be copied)."""
        with self._lock:
            if frame is self._shown:
                return self.shown_slot
            return self._lent.get(frame, 0)

    def show(self, slot: int, frame: pygame.Surface) -> pygame.Surface | None:
        """`frame` (in `slot`) is the picture from now on. Returns the lent buffer shown
        before, for the caller to hold until the window has moved off it."""
        with self._lock:
            previous, self._shown = self._shown, frame if slot else None
            self.shown_slot = slot
            return previous

    def lent_out(self) -> int:
        with self._lock:
            return len(self._lent)

    def close(self) -> None:
        """Unmap: buffers still lent are forgotten (never shown again; present copies
        them like any surface). Their memory stays mapped until the last one is let go of,
        as Python will not unmap memory a live surface points into."""
        with self._lock:
            self._lent.clear()
            self._shown = self.copy = None
            try:
                self._mapping.close()
            except BufferError:  # a lent surface still lives: the mapping goes with it
                pass
            self._mapping = None
            os.close(self.fd)
