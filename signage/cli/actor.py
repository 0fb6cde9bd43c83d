"""Who acts at the box's console: `console:<NAME>`, for the audit log.

No API role was checked at the console: whoever may write the data directory acted. So the
log records the role `cli` (as `signage import` does), never an approver's or an admin's
credential that nobody showed.
"""

from __future__ import annotations

import getpass
import os

from signage.errors import SignageError
from signage.services.importer import IMPORT_ROLE
from signage.store.access import Principal

CONSOLE_ROLE = IMPORT_ROLE
ACTOR_PREFIX = "console:"
MAX_NAME_CHARS = 64


def console_actor(by: str | None = None) -> Principal:
    """`console:<NAME>`: `by` (the --by flag), else who logged in at this terminal (kept
    through sudo -u)."""
    name = (_login_name() if by is None else by).strip()
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise SignageError(f"--by: give a name of 1 to {MAX_NAME_CHARS} printable characters, "
                           "e.g. --by tuan")
    return Principal(ACTOR_PREFIX + name, CONSOLE_ROLE, "console")


def _login_name() -> str:
    try:
        return os.getlogin()
    except OSError:  # no controlling terminal: cron, `ssh host cmd`, a systemd unit
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"
