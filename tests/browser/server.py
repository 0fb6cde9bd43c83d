"""The console as the browser tests (and `make console-screenshots`) run it: the real app under
uvicorn on 127.0.0.1, over a store in a temporary data dir, with one person of each role.

"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Iterator

from signage.clock import FakeClock
from signage.settings import Settings
from signage.store import Store
from tests.test_api import serve


@dataclasses.dataclass(frozen=True)
class Person:
    name: str
    role: str
    password: str


# One of each role; two approvers, so one can approve what the other wrote (four eyes).
PEOPLE = {
    "editor": Person("lan", "editor", "lan-soan-noi-dung-1"),
    "approver": Person("minh", "approver", "minh-duyet-noi-dung-1"),
    "approver2": Person("hoa", "approver", "hoa-duyet-noi-dung-2"),
    "technician": Person("tuan", "technician", "tuan-ky-thuat-man-1"),
    "admin": Person("thuy", "admin", "thuy-quan-tri-vien-1"),
}


def console_app(settings: Settings, clock, store: Store):
    """The app under test: the console, the API within it."""
    from signage.console.app import create_console_app

    return create_console_app(settings, clock=clock, store=store)


def console_pages() -> list:
    """Every console page (signage.console.pages.PAGES)."""
    from signage.console.pages import PAGES

    return list(PAGES)


def console_clock() -> FakeClock:
    """A clock that moves only when a test says so, started at the real time: the browser
    judges cookie expiry by its own clock, so the server's must not be days away from it."""
    return FakeClock(start=dt.datetime.now(dt.timezone.utc).replace(microsecond=0))


def data_settings(root: Path) -> Settings:
    settings = Settings(data_dir=root / "data", runtime_dir=root / "run")
    settings.runtime_dir.mkdir(parents=True, exist_ok=True)
    return settings


def create_people(store: Store) -> dict[str, Person]:
    """Everyone in PEOPLE as an active user (made at the box's console: no confirmation)."""
    for person in PEOPLE.values():
        store.access.create_user(person.name, person.role, person.password)
    return dict(PEOPLE)


@contextlib.contextmanager
def running_console(settings: Settings, clock, store: Store) -> Iterator[str]:
    """The console served on a free loopback port in a thread; yields its base URL and
    stops the server (and checks it stopped) at the end."""
    with serve(console_app(settings, clock, store)) as url:
        yield url


def viewer_of(page) -> Person | None:
    """Nobody (not signed in) for a public page (no roles); else one person of PEOPLE who
    may see every signed-in page if there is one, else the first who may see `page`."""
    people = list(PEOPLE.values())
    if not page.roles:
        return None
    private = [entry for entry in console_pages() if entry.roles]
    everything = [p for p in people if all(p.role in entry.roles for entry in private)]
    allowed = everything or [p for p in people if p.role in page.roles]
    if not allowed:
        raise LookupError(f"no one in PEOPLE may see {page.path} (roles {page.roles})")
    return allowed[0]
