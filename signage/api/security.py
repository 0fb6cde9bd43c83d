"""Hardening that applies to every response and request: headers, CORS, body size.

Plain ASGI middleware (not BaseHTTPMiddleware): it must see the request body as it
streams, and must not buffer responses such as the screen snapshot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from typing import Callable, Iterable, TypeVar

from fastapi import HTTPException, status
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signage.errors import SignageError

log = logging.getLogger(__name__)

DEFAULT_BODY_LIMIT = 1_000_000  # bytes; a route may declare its own with @body_limit

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # The API serves JSON and PNG, never a page: nothing may load, run or frame it.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    # Answers name people, tokens and what is on a government screen: no cache keeps them.
    "Cache-Control": "no-store",
}

F = TypeVar("F", bound=Callable)


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Give one route its own request-body cap (put it under the @router decorator)."""
    def mark(endpoint: F) -> F:
        endpoint.body_limit = max_bytes  # type: ignore[attr-defined]
        return endpoint
    return mark


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"the request body is larger than {limit} bytes, the limit for this "
            "route; send a smaller body",
        )


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that does not set its own value.

    A bug that escapes a route is answered here too, as a plain 500 with the headers:
    left to Starlette, its answer is written outside every middleware, without them.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:  # half an answer is out: all the server can do is drop it
                raise
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            # The caller learns nothing of the internals, only where to look.
            await _send_json(send_with_headers, 500, {
                "detail": "internal error; the API's log (journalctl -u signage-api) has "
                          "the details"})


class ServerTiming:
    """Says how long the app took over each answer: `Server-Timing: app;dur=12.3` (ms,
    from the request reaching this middleware to its answer starting). Only the one
    figure, nothing that names a query, a table or a path; `signage bench --console`
    reads it, so a client's network and its own parsing are not counted."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        # perf_counter, not the injected clock: this measures the machine, not the
        # calendar, and a FakeClock under test would say every answer took 0 ms.
        began = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - began) * 1000
                MutableHeaders(scope=message).append("Server-Timing", f"app;dur={elapsed_ms:.1f}")
            await send(message)

        await self.app(scope, receive, send_with_timing)


class BodyLimit:
    """Refuses request bodies over a cap with 413, counting bytes as they arrive.

    The cap is the routed endpoint's `body_limit` (see `body_limit`) or `default`. It is
    looked up at the first read, after routing and after auth dependencies have run, so
    an unauthenticated caller gets 401 without the body being read at all. A declared
    Content-Length over the cap is refused before anything is read; chunked bodies are
    refused as soon as the running count passes it.
    """

    def __init__(self, app: ASGIApp, default: int = DEFAULT_BODY_LIMIT):
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            limit = getattr(scope.get("endpoint"), "body_limit", self.default)
            if received == 0 and _declared_length(scope) > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await _answer_refusals(self.app, scope, counting_receive, send, BodyTooLarge)


class BodyTooSlow(HTTPException):
    def __init__(self, why: str):
        super().__init__(
            status.HTTP_408_REQUEST_TIMEOUT,
            detail=f"the request body arrived too slowly ({why}); the connection is closed, "
            "send it again on a better link",
            # uvicorn closes a connection whose answer says so: the rest of the body is
            # never read, and a trickling client cannot keep the slot.
            headers={"Connection": "close"},
        )


@dataclasses.dataclass(frozen=True)
class BodyPace:
    """How slowly a body may arrive: a gap between chunks, then an average rate."""

    max_gap_s: float = 15.0
    min_bytes_per_s: float = 1024.0  # a slow provincial link manages far more
    grace_s: float = 30.0            # before the average rate is held against a body


class SlowBody:
    """Answers 408 and closes the connection when a request body stalls or trickles.

    uvicorn waits for a body forever: one byte a second kept an upload open for ever. Only
    reads before the body's end are timed; waiting for a disconnect afterwards is not."""

    def __init__(self, app: ASGIApp, pace: BodyPace = BodyPace()):
        self.app, self.pace = app, pace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        began, received, complete = loop.time(), 0, False
        pace = self.pace

        async def paced_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), pace.max_gap_s)
            except asyncio.TimeoutError:
                raise BodyTooSlow(f"nothing for {pace.max_gap_s:g} s") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                elapsed = loop.time() - began
                if not complete and elapsed > pace.grace_s and \
                        received < pace.min_bytes_per_s * elapsed:
                    raise BodyTooSlow(f"under {pace.min_bytes_per_s:g} bytes a second")
            return message

        await _answer_refusals(self.app, scope, paced_receive, send, BodyTooSlow)


async def _answer_refusals(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                           refusal: type[HTTPException]) -> None:
    """Run `app`; a `refusal` raised outside FastAPI's handlers (a raw ASGI route reading
    the body) is answered here, if no answer has started."""
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except refusal as exc:
        if started:
            raise
        await _send_json(send, exc.status_code, {"detail": exc.detail}, exc.headers)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _send_json(send: Send, status_code: int, body: dict,
                     headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    extra = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status_code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()), *extra]})
    await send({"type": "http.response.body", "body": payload})


def cors_options(origins: Iterable[str]) -> dict:
    """CORSMiddleware settings for exactly these origins, bearer auth, no cookies."""
    return {
        "allow_origins": list(origins),
        "allow_methods": ["GET", "POST", "PUT", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type"],
        "allow_credentials": False,  # bearer tokens, never cookies
        "max_age": 600,
    }
