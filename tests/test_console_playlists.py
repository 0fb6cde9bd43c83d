"""The console's playlists: the list with states, the editor (three languages side by side,
items moved by buttons, pictures from the library), its live preview, and the checks at
the door in Vietnamese at the field they concern; on a real server."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from signage.content.documents import Document
from signage.services import revisions
from signage.store.access import Principal
from tests.conftest import add_image
from tests.console_helpers import add_people, browser_like, console_server, csrf_of, sign_in
from tests.test_api import png_bytes

EDITOR = Principal("lan", "editor", "user")


@pytest.fixture
def url(settings, clock, store):
    add_people(store)
    with console_server(settings, clock, store) as url:
        yield url


@pytest.fixture
def client(url):
    with browser_like(url) as client:
        yield client


def signed_in(client, who="lan"):
    assert sign_in(client, who).status_code == 303
    return client
