"""How the API is served: uvicorn with limits, so slow or many clients cannot starve it.

uvicorn on its own never times out a connection that has not finished its headers, and
keeps every connection it accepts: 1,100 trickling clients used the box's 1,024 file
descriptors and /api/health stopped answering. GuardedH11 adds what is missing:

- a deadline for a request's headers (from the connection, or from the last answer on a
  kept-alive connection); past it the connection is closed;
- a cap on open connections: at the cap, a new connection pushes out one that has no
  request in progress, so a person (or health) always gets in while a flood only
  churns its own connections; if every connection is busy the newcomer is closed;
- the security headers on the 400 that the HTTP parser answers by itself.

Body timeouts are in security.SlowBody (it needs the ASGI receive channel). Forwarded
headers (X-Forwarded-For) are believed only from SIGNAGE_TRUSTED_PROXIES; by default from
nobody, so the address the throttle counts and the log records is the socket's.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import resource
import socket
import threading
import time
from typing import Any, Iterator

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from signage.api.security import SECURITY_HEADERS
from signage.settings import Settings

log = logging.getLogger(__name__)


# Descriptors kept free for the database, its WAL, assets being read, logs and the like.
FILES_KEPT_FOR_WORK = 64
MIN_CONNECTIONS = 16


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    """Connection limits; the defaults suit the reference box (LimitNOFILE=4096)."""

    max_connections: int = 1000
    header_timeout_s: float = 10.0      # to send a request's line and headers
    keep_alive_s: int = 5               # idle between requests on one connection
    max_header_bytes: int = 16 * 1024   # request line and headers together

    @classmethod
    def for_this_process(cls) -> "ServerLimits":
        """The defaults, with the connection cap under this process's file limit: past it
        accept() fails, and nobody, health included, gets in any more."""
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        room = soft - FILES_KEPT_FOR_WORK if soft != resource.RLIM_INFINITY else cls.max_connections
        return cls(max_connections=max(MIN_CONNECTIONS, min(cls.max_connections, room)))


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a connection cap (see above)."""

    limits = ServerLimits()  # replaced per server by guarded_protocol()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_deadline: asyncio.TimerHandle | None = None
        self._request_cycle = None
        if len(self.connections) >= self.limits.max_connections and not self._make_room():
            log.warning("connection limit (%d) reached with every connection busy; refusing "
                        "a new one", self.limits.max_connections)
            transport.close()
            return
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        if self.transport is not None:  # refused at connection_made: never counted
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.transport is None:
            return
        super().data_received(data)
        if self.cycle is not None and self.cycle is not self._request_cycle:
            self._request_cycle = self.cycle  # headers complete: the app has the request
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request's headers have a deadline too

    def send_400_response(self, msg: str) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        headers += [(name.lower().encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=msg.encode("ascii")), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _make_room(self) -> bool:
        """Close a connection with no request in progress; False if none is idle."""
        for connection in self.connections:
            if isinstance(connection, GuardedH11) and connection._idle():
                connection._close_quietly()
                self.connections.discard(connection)
                return True
        return False

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.limits.header_timeout_s,
                                                     self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if getattr(self, "_header_deadline", None) is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._idle():
            self._close_quietly()

    def _close_quietly(self) -> None:
        self._disarm_header_deadline()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(limits: ServerLimits) -> type[GuardedH11]:
    """A GuardedH11 class bound to `limits` (uvicorn makes one protocol per connection)."""
    return type("GuardedH11", (GuardedH11,), {"limits": limits})


def server_config(app: Any, settings: Settings, limits: ServerLimits = ServerLimits(),
                  **options: Any) -> uvicorn.Config:
    """The uvicorn Config `signage api` runs with (tests use it too): the guarded protocol,
    keep-alive and header-size limits, and forwarded headers from trusted proxies only."""
    proxies = list(settings.trusted_proxies)
    return uvicorn.Config(
        app, http=guarded_protocol(limits),
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
        timeout_keep_alive=limits.keep_alive_s,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        # uvicorn answers 503 past this many connections or requests in progress; the
        # protocol keeps connections at max_connections, so this bounds requests.
        limit_concurrency=limits.max_connections + 1,
        log_level="warning", access_log=False, **options)


@contextlib.contextmanager
def serving_on_loopback(app: Any, settings: Settings, limits: ServerLimits = ServerLimits(),
                        start_timeout_s: float = 10.0) -> Iterator[str]:
    """Run `app` under uvicorn configured as `signage api` runs it (server_config), in a
    thread, on a free port of 127.0.0.1; yield its base URL. For tests and the bench."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(app, settings, limits, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + start_timeout_s
        while not server.started:  # polling for startup, not waiting for time to pass
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server on 127.0.0.1 did not start; see the log above")
            time.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the server on 127.0.0.1 did not stop")
