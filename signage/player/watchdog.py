"""Saying that the frame loop is alive, in systemd's notify protocol (sd_notify).

A crashed player is restarted by whoever runs it; a *hung* one (a driver call that never
returns, a deadlock) would freeze the wall for good. So the frame loop sends READY=1 once
its first frame is out and WATCHDOG=1 as it goes; systemd (`WatchdogSec=` in the unit) or
`signage run`'s supervisor kills and restarts a player that falls silent.

The protocol is one datagram per message to the AF_UNIX socket named in NOTIFY_SOCKET
('@' at the start: Linux's abstract namespace). Pings go every WATCHDOG_USEC / 2, as
sd_watchdog_enabled(3) advises, and only from the process WATCHDOG_PID names, if set.
Without NOTIFY_SOCKET every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Mapping

log = logging.getLogger(__name__)

DEFAULT_PING_S = 5.0  # when NOTIFY_SOCKET is given without WATCHDOG_USEC


class Notifier:
    def __init__(self, env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        usec = env.get("WATCHDOG_USEC", "")
        self.every_s = int(usec) / 2e6 if usec.isdigit() and int(usec) > 0 else DEFAULT_PING_S
        watched = env.get("WATCHDOG_PID", "")
        self.pings = not watched or watched == str(os.getpid())
        self.next_ping = float("-inf")
        self._socket: socket.socket | None = None
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def ready(self) -> None:
        """The first frame is on the wall."""
        self.send("READY=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def alive(self, now: float) -> None:
        """Called every frame with the monotonic time; pings when one is due."""
        if now >= self.next_ping and self.pings:
            self.next_ping = now + self.every_s
            self.send("WATCHDOG=1")

    def send(self, message: str) -> None:
        if self.address is None:
            return
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._socket.setblocking(False)  # the frame loop never waits on it
            self._socket.sendto(message.encode(), self.address)
            self._failed = False
        except OSError as exc:
            if not self._failed:  # once per run of failures, not every frame
                log.warning("cannot notify %s (%s): %s", _shown(self.address), message, exc)
            self._failed = True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _address(text: str) -> str | bytes | None:
    if not text:
        return None
    if text.startswith("@"):
        return b"\0" + text[1:].encode()
    return text if text.startswith("/") else None  # vsock and other forms: not ours


def _shown(address: str | bytes) -> str:
    return "@" + address[1:].decode(errors="replace") if isinstance(address, bytes) else address
