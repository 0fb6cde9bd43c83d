"""Room kept on the data disk for what must still work when it is full.

A full disk must not stop an approver posting an emergency notice, nor a technician
deleting assets to make room. So the store keeps a preallocated file (`reserve.space`)
and gives it back when such a write fails for want of space; uploads are refused before
they would eat into it. The file is made again once there is room.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
from pathlib import Path
from typing import Callable, TypeVar

from signage.errors import StoreFull

log = logging.getLogger(__name__)

RESERVE_NAME = "reserve.space"

T = TypeVar("T")


class DiskReserve:
    def __init__(self, data_dir: Path, size: int):
        self.path = Path(data_dir) / RESERVE_NAME
        self.size = size

    def ensure(self) -> None:
        """Make the reserve if it is missing and the disk has twice its room (best effort)."""
        if self.size <= 0 or self.path.exists():
            return
        with contextlib.suppress(OSError):
            if shutil.disk_usage(self.path.parent).free < 2 * self.size:
                return
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.size)  # real blocks, not a sparse file
            except OSError:
                os.close(fd)
                self.path.unlink(missing_ok=True)
                return
            os.close(fd)

    def release(self) -> bool:
        """Give the reserve's room back; True if there was one."""
        try:
            self.path.unlink()
        except OSError:
            return False
        log.warning("disk full: released the %d MB reserve in %s so this can be written",
                    self.size // 2**20, self.path.parent)
        return True

    def using(self, action: Callable[[], T]) -> T:
        """Run `action`; if it fails for want of space, release the reserve and run it again."""
        try:
            return action()
        except StoreFull:
            if not self.release():
                raise
        return action()

    def check_room(self, size: int, what: str) -> None:
        """StoreFull unless writing `size` bytes leaves the reserve's room free."""
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            return
        held = 0 if self.path.exists() else self.size  # the room it still has to get back
        if free - size < held + self.size // 4:
            raise StoreFull(
                f"disk full: {what} needs {_mb(size)} but the data disk has {_mb(free)} free, "
                f"and {_mb(self.size)} is kept for emergency notices; delete unused assets "
                "(DELETE /api/assets/ID) or old files, then try again")


def is_no_space(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"
