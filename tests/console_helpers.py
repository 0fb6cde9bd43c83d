"""Shared by the console's tests: a real server with the console, people of every role,
and signing in through the real form (its CSRF nonce and cookies included)."""

from __future__ import annotations

import contextlib
import re
from typing import Iterator

import httpx
import pytest

from signage.console.app import create_console_app
from signage.store import Store
from tests.test_api import serve

PASSWORD = "mat-khau-du-dai-123"
PEOPLE = {"lan": "editor", "minh": "approver", "hoa": "approver", "tuan": "technician",
          "quan": "admin"}


def add_people(store: Store) -> None:
    for name, role in PEOPLE.items():
        store.access.create_user(name, role, PASSWORD)


@contextlib.contextmanager
def console_server(settings, clock, store) -> Iterator[str]:
    with serve(create_console_app(settings, clock, store)) as url:
        yield url


def browser_like(url: str) -> httpx.Client:
    """A client that sends Origin like a browser posting a form of this site."""
    return httpx.Client(base_url=url, trust_env=False, timeout=10, follow_redirects=False,
                        headers={"Origin": url})


@contextlib.contextmanager
def signed_in(url: str, name: str) -> Iterator[httpx.Client]:
    """A browser-like client signed in as `name` (one of PEOPLE)."""
    with browser_like(url) as client:
        sign_in(client, name)
        yield client


def form_field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no field {name!r} in the page"
    return found.group(1)


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD,
            next_path: str = "/") -> httpx.Response:
    page = client.get("/signin")
    return client.post("/signin", data={"name": name, "password": password, "next": next_path,
                                        "csrf": form_field(page.text, "csrf")})


def csrf_of(client: httpx.Client, path: str = "/") -> str:
    """The CSRF token a signed-in page carries (the sign-out form has it on every page)."""
    return form_field(client.get(path).text, "csrf")


# Fixtures for console test modules: import them by name (`url`, `client`).
@pytest.fixture
def url(settings, clock, store):
    add_people(store)
    with console_server(settings, clock, store) as url:
        yield url


@pytest.fixture
def client(url):
    with browser_like(url) as client:
        yield client
