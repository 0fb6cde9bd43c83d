"""A real X server without a screen: Xvfb on a free display number, screenshots of it, and
a way to stop it and start it again on the same number (a display that goes away).
The HDMI tests draw on it, and `signage bench --present` measures on it."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time

INSTALL_HINT = "run scripts/install-system-packages.sh (make test does) to install xvfb"
# Xvfb's own log lines, read when it does not start.
LOG_TAIL_CHARS = 500


def xvfb_missing() -> str | None:
    """Why Xvfb cannot run here, or None if it can."""
    if shutil.which("Xvfb") is None:
        return f"Xvfb is not installed; {INSTALL_HINT}"
    return None


class Xvfb:
    """One Xvfb server with one 24-bit screen; `number` is its display number."""

    def __init__(self, size: tuple[int, int], number: int | None = None):
        self.size = size
        self.number = number
        self.process: subprocess.Popen | None = None

    @property
    def display(self) -> str:
        return f":{self.number}"

    def start(self, timeout: float = 15.0) -> "Xvfb":
        """Start the server; with no number yet, Xvfb picks a free one (-displayfd)."""
        read_end, write_end = os.pipe()
        w, h = self.size
        args = ["Xvfb", *([f":{self.number}"] if self.number is not None else []),
                "-displayfd", str(write_end), "-screen", "0", f"{w}x{h}x24",
                "-nolisten", "tcp", "-noreset"]
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: nothing has to drain it
        self.process = subprocess.Popen(args, pass_fds=(write_end,), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        os.close(write_end)
        try:
            self.number = int(self._read_line(read_end, timeout))
        except (ValueError, TimeoutError) as exc:
            self.stop()
            raise RuntimeError(f"Xvfb did not start: {exc}") from None
        finally:
            os.close(read_end)
        return self

    def _read_line(self, fd: int, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"no display number within {timeout:g} s")
            chunk = os.read(fd, 64)
            if not chunk:
                self.process.wait(timeout=5)
                self.log.seek(0)
                raise ValueError(f"Xvfb exited: {self.log.read().decode(errors='replace')[-LOG_TAIL_CHARS:]}")
            data += chunk
        return data.decode().strip()

    def stop(self) -> None:
        """End the server as a crash or shutdown would: its clients lose the connection."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
            self.log.close()

    def screenshot(self):
        """The whole screen as a Pillow RGB image."""
        from PIL import ImageGrab

        return ImageGrab.grab(xdisplay=self.display).convert("RGB")
