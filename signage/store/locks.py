"""One holder per data directory: `signage run` and the player each take a lock file there.

Two players on one data dir would drive one panel with two pictures and write proof of
play twice. The lock is an flock(2) on a file in the data dir: the kernel drops it when
the holder dies however it dies (kill -9 too), so there is no stale lock to clean up. The
holder writes its pid into the file so a second one can say who is in the way.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from signage.errors import SignageError

PLAYER_LOCK = "player.lock"
RUN_LOCK = "run.lock"


class AlreadyRunning(SignageError):
    """Another process holds the lock; `pid` says which (None if it did not say)."""

    def __init__(self, message: str, pid: int | None):
        super().__init__(message)
        self.pid = pid


class DataDirLock:
    """An exclusive, non-blocking flock on `data_dir/name`, held until release() or exit."""

    def __init__(self, data_dir: Path, name: str, what: str):
        self.path = Path(data_dir) / name
        self.what = what
        self.fd: int | None = None

    def acquire(self) -> "DataDirLock":
        """Take the lock or raise AlreadyRunning naming the holder's pid."""
        fd, writable = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            pid = self.holder()
            raise AlreadyRunning(
                f"another {self.what} (pid {pid if pid else 'unknown'}) already uses the data "
                f"directory {self.path.parent} (lock {self.path}); stop it first, or give this "
                "one its own SIGNAGE_DATA_DIR", pid) from None
        if writable:  # the pid is a courtesy: a read-only data dir still locks
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def _open(self) -> tuple[int, bool]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), True
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.ENOSPC):
                raise
        try:  # a read-only disk: lock the file if it is there, else the directory itself
            return os.open(self.path, os.O_RDONLY | os.O_CLOEXEC), False
        except FileNotFoundError:
            return os.open(self.path.parent, os.O_RDONLY | os.O_CLOEXEC), False

    def holder(self) -> int | None:
        """The pid written by whoever holds the lock."""
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def is_held(self) -> bool:
        """Whether someone else holds it now (probes by taking and dropping it)."""
        try:
            DataDirLock(self.path.parent, self.path.name, self.what).acquire().release()
        except AlreadyRunning:
            return True
        return False

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None
