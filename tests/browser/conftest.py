"""Fixtures for tests in real headless Chromium (Debian's, driven by Playwright).

- `settings`, `clock`, `store` (overriding the suite's): a temporary data dir, a FakeClock
  started at the real time (move it with clock.advance), a Store holding PEOPLE;
- `people`: role -> Person(name, role, password): editor, approver, approver2 (four eyes),
  technician, admin;
- `console_url`: the app (tests/browser/server.py) under uvicorn on a free 127.0.0.1 port;
- `chromium`: one browser for the session; `open_context(**options)`: a fresh context (own
  cookies and storage) on the console, at the office size, in vi-VN, Asia/Ho_Chi_Minh time;
  `page` is one person's, `other_page` another person's, in a context of their own.

Helpers (signage/devtools/browser.py): sign_in(page, name, password), axe_violations(page),
horizontal_overflow(page), overflowing_elements(page), OFFICE and PHONE sizes. Mark tests
`pytest.mark.browser` (every test here is, by pytest_collection_modifyitems) to select them:
`pytest -m browser`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from signage.devtools.browser import OFFICE, chromium_missing, launch_chromium
from signage.store import Store
from tests.browser.server import (PEOPLE, Person, console_clock, create_people, data_settings,
                                  running_console)

HERE = Path(__file__).resolve().parent
# Long enough for a slow shared machine, short enough that a missing element fails soon.
ACTION_TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def settings(tmp_path: Path):
    return data_settings(tmp_path)


@pytest.fixture
def clock():
    return console_clock()


@pytest.fixture(scope="session")
def people_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding PEOPLE, made once: each password costs ~50 ms of scrypt, and
    every test copies this instead of hashing five passwords again."""
    root = tmp_path_factory.mktemp("people")
    settings = data_settings(root)
    store = Store(settings.data_dir, console_clock())
    try:
        create_people(store)
    finally:
        store.close()
    return settings.data_dir


@pytest.fixture
def store(settings, clock, people_data_dir: Path) -> Iterator[Store]:
    shutil.copytree(people_data_dir, settings.data_dir)
    store = Store(settings.data_dir, clock)
    yield store
    store.close()


@pytest.fixture
def people(store) -> dict[str, Person]:
    return dict(PEOPLE)


@pytest.fixture
def console_url(settings, clock, store) -> Iterator[str]:
    with running_console(settings, clock, store) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    reason = chromium_missing()
    assert reason is None, reason
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_context(request: pytest.FixtureRequest, chromium) -> Iterator[Callable[..., Any]]:
    """Makes fresh browser contexts, all closed at the end of the test. base_url defaults to
    the console's (started on first use); other options go to browser.new_context."""
    opened: list[Any] = []

    def open_context(**options: Any) -> Any:
        if "base_url" not in options:
            options["base_url"] = request.getfixturevalue("console_url")
        options = {"viewport": OFFICE, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh",
                   **options}
        context = chromium.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(open_context) -> Any:
    return open_context().new_page()


@pytest.fixture
def other_page(open_context) -> Any:
    """Another person at another computer: no cookie or storage shared with `page`."""
    return open_context().new_page()
