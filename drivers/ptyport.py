"""A pseudo-terminal that behaves as a serial device, for emulators and tests.

The device logic is a pure `SerialPeer` (bytes the host sent in, bytes to answer out);
`PtyPort` is the thin I/O shell that serves it on a real pty, so drivers under test open a
real terminal device through `serial.serial_for_url`, exactly as they open a USB adapter.
`unplug()` closes the pty like a pulled cable; `plug()` makes a new one. With `link` set,
a symlink at that path always points at the current pty, so a driver configured with
that path finds the device again after a replug (as udev's /dev/serial/by-id links do).
"""

from __future__ import annotations

import logging
import os
import select
import threading
import tty
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class SerialPeer(Protocol):
    def feed(self, data: bytes) -> bytes:
        """Take bytes the host wrote; return the bytes to send back (may be empty)."""
        ...


class EmulatedPeer(SerialPeer, Protocol):
    """A device `signage emulate-panel` serves (a registry family's `peer`). It may also
    have `hello()` (bytes it announces while idle), `save_png(path)` (its picture) and a
    `fault` switch; the command offers what it has."""

    def state(self) -> dict:
        """The device's state as JSON-ready values, for the `status` command."""
        ...


class PtyPort:
    def __init__(self, peer: SerialPeer, link: str | os.PathLike | None = None):
        self.peer = peer
        self.link = Path(link) if link is not None else None
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_path: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def path(self) -> str:
        """The path a driver should open: the stable link if any, else the pty itself."""
        if self.link is not None:
            return str(self.link)
        if self._slave_path is None:
            raise RuntimeError("the port is not plugged in")
        return self._slave_path

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> "PtyPort":
        """Create the pty and start answering on it."""
        with self._lock:
            if self._master is not None:
                return self
            master, slave = os.openpty()
            # Raw mode: no echo, no CR/LF translation; binary frames pass untouched. The
            # emulator keeps the slave open too, so the settings stick and reading the
            # master never fails just because no driver has the port open yet.
            tty.setraw(slave)
            self._master, self._slave = master, slave
            self._slave_path = os.ttyname(slave)
            if self.link is not None:
                tmp = self.link.with_name(self.link.name + ".new")
                tmp.unlink(missing_ok=True)
                tmp.symlink_to(self._slave_path)
                os.replace(tmp, self.link)
            self._stop.clear()
            self._thread = threading.Thread(target=self._serve, args=(master,),
                                            name="pty-peer", daemon=True)
            self._thread.start()
        log.info("emulated device on %s", self.path)
        return self

    def unplug(self) -> None:
        """Close the pty, as if the cable were pulled: the host's reads and writes fail.

        The stable link goes too (as a udev by-id link does), so a reconnecting driver
        never opens another process's pty that happens to get the old number."""
        if self.link is not None:
            self.link.unlink(missing_ok=True)
        with self._lock:
            master, slave, thread = self._master, self._slave, self._thread
            self._master = self._slave = self._thread = None
            self._stop.set()
        if thread is not None:
            thread.join(timeout=2)
        for fd in (master, slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass

    def close(self) -> None:
        self.unplug()

    def send(self, data: bytes) -> None:
        """Write unsolicited bytes to the host (announcements, garbage)."""
        master = self._master
        if master is not None:
            os.write(master, data)

    def __enter__(self) -> "PtyPort":
        return self.plug()

    def __exit__(self, *exc) -> None:
        self.close()

    def _serve(self, master: int) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except OSError:
                return  # unplugged under us
            if not data:
                continue
            try:
                reply = self.peer.feed(data)
            except Exception:  # a bug in an emulator must not kill the port silently
                log.exception("emulated device failed on %d bytes", len(data))
                continue
            if reply:
                try:
                    os.write(master, reply)
                except OSError:
                    return
