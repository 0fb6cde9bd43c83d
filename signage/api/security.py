"""Hardening that applies to every response and request: headers, CORS, body size.

Plain ASGI middleware (not BaseHTTPMiddleware): it must see the request body as it
streams, and must not buffer responses such as the screen snapshot.
"""

from __future__ import annotations

import json
import logging
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
        started = False

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

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:  # read outside FastAPI's handlers (e.g. a raw ASGI route)
            if started:
                raise
            await _send_json(send, exc.status_code, {"detail": exc.detail})


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _send_json(send: Send, status_code: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status_code,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
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
