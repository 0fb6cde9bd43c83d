"""The API server's limits against slow and many clients, on 127.0.0.1.

Each flood is bounded (a fixed number of sockets, all closed at the end) and the limits are
made short for the test, so waits end on the server's answer, not on a sleep.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
from typing import Iterator

import httpx
import pytest

from signage.api import create_app
from signage.api.security import SECURITY_HEADERS, BodyPace
from signage.api.server import FILES_KEPT_FOR_WORK, ServerLimits
from tests.conftest import REPO
from tests.test_api import bearer, clock, serve, settings, store, write_status  # noqa: F401
from tests.test_run import free_port, wait_for

SHORT = ServerLimits(max_connections=40, header_timeout_s=0.3, keep_alive_s=1)


@contextlib.contextmanager
def connections(port: int, count: int, first_bytes: bytes) -> Iterator[list[socket.socket]]:
    """`count` sockets to the server, each having sent `first_bytes`; all closed after."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            with contextlib.suppress(OSError):  # the server may already have pushed it out
                sock.sendall(first_bytes)
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (10 s at most)."""
    sock.settimeout(10)
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def server(settings, clock, store) -> Iterator[tuple[str, int]]:
    write_status(settings, clock)  # a player that is up: health says 200
    app = create_app(settings, clock, store, body_pace=BodyPace(max_gap_s=0.3))
    with serve(app, SHORT) as url:
        yield url, int(url.rsplit(":", 1)[1])


def test_headers_that_never_finish_are_cut_off(server):
    _url, port = server
    with connections(port, 1, b"GET /api/health HTTP/1.1\r\nHost: x\r\n") as (sock,):
        assert read_all(sock) == b""  # closed by the server, not by our timeout


def test_a_stalled_body_gets_408_and_the_connection_closes(server, store):
    _url, port = server
    token = bearer(store, "editor")["Authorization"]
    head = (f"PUT /api/playlists/slow HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
            "Content-Type: application/yaml\r\nContent-Length: 100\r\n\r\nn").encode()
    with connections(port, 1, head) as (sock,):
        answer = read_all(sock)

    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"arrived too slowly" in answer
    assert b"x-content-type-options: nosniff" in answer.lower()


def test_the_parsers_400_carries_the_security_headers(server):
    _url, port = server
    with connections(port, 1, b"NOT HTTP AT ALL\r\n\r\n") as (sock,):
        answer = read_all(sock).decode("latin-1").lower()

    assert answer.startswith("http/1.1 400 ")
    for name, value in SECURITY_HEADERS.items():
        assert f"{name.lower()}: {value.lower()}" in answer


def test_health_answers_past_the_connection_cap(server):
    url, port = server
    with connections(port, 3 * SHORT.max_connections, b"GET /api/he") as flood:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            response = client.get("/api/health")
        pushed_out = sum(1 for sock in flood if read_all(sock) == b"")

    assert response.status_code == 200
    assert pushed_out >= 2 * SHORT.max_connections


def _low_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES_KEPT_FOR_WORK + 100,) * 2)


def test_a_flood_of_trickling_clients_cannot_stop_health(tmp_path):
    """`signage api` as it runs, with a file limit a flood can reach: more trickling
    connections than it has descriptors, then health from a fresh client."""
    port = free_port()
    env = dict(os.environ, SIGNAGE_DATA_DIR=str(tmp_path / "data"))
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "api", "--listen", f"127.0.0.1:{port}"],
        env=env, cwd=REPO, preexec_fn=_low_file_limit,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def health() -> str | None:
        """Health's answer (no player runs here, so it says down, with a 503)."""
        try:
            return httpx.get(f"{base}/api/health", timeout=10, trust_env=False).json()["state"]
        except httpx.TransportError:
            return None

    try:
        wait_for(health, 30, "the API to answer")
        with connections(port, 300, b"GET /api/health HTTP/1.1\r\nHost: x\r\n"):
            during = health()
    finally:
        process.terminate()
        process.wait(timeout=20)

    assert during == "down"  # answered: the player is simply not running here
