"""The API's playlist PUT runs the same checks as `signage validate`: refusals and warnings."""

from __future__ import annotations

import io
import json
from typing import Iterator

import httpx
import pytest
from PIL import Image

from signage.api import create_app
from signage.clock import FakeClock
from signage.settings import Settings
from signage.store.database import Store
from tests.test_api import START, YAML, serve

SMILE = """\
name: welcome
items:
  - kind: message
    duration: 12s
    text:
      vi: "Chào mừng quý khách"
      en: "Welcome 😀"
      zh: "欢迎"
"""


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", runtime_dir=tmp_path / "run",
                        driver="emulated://768x384")
    settings.runtime_dir.mkdir(parents=True)
    return settings


@pytest.fixture
def store(settings) -> Iterator[Store]:
    store = Store(settings.data_dir, FakeClock(start=START))
    yield store
    store.close()


def client_for(settings: Settings, store: Store):
    return serve(create_app(settings, FakeClock(start=START), store))


@pytest.fixture
def auth(store) -> dict[str, str]:
    return {"Authorization": f"Bearer {store.create_token('ci-editor', 'editor')}"}


def put(settings, store, auth, body: str) -> httpx.Response:
    with client_for(settings, store) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=20) as client:
            return client.put("/api/playlists/welcome", content=body, headers={**YAML, **auth})


def test_an_emoji_is_refused_with_its_path_line_and_code(settings, store, auth):
    response = put(settings, store, auth, SMILE)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == [{
        "path": "items[0].text.en", "line": 7,
        "reason": "character '😀' (U+1F600) is not in any configured font; remove it or "
                  "configure a font that has it",
        "code": "missing_glyph", "params": {"char": "😀"},
    }]
    assert "was not saved" in body["message"]
    assert store.revisions() == []


def test_legibility_follows_the_configured_panel(settings, store, auth):
    body = SMILE.replace("Welcome 😀", "Welcome").replace(
        '"欢迎"', '"欢迎来到清水国际口岸，请出示护照并排队等候检查，谢谢合作"')
    assert put(settings, store, auth, body).status_code == 201
    small = Settings(settings.data_dir, settings.runtime_dir, driver="emulated://192x96")
    response = put(small, store, auth, body)
    assert response.status_code == 422
    paths = [problem["path"] for problem in response.json()["detail"]]
    assert "items[0].text.zh" in paths
    assert all("192x96 panel" in p["reason"] for p in response.json()["detail"]
               if p["path"] == "items[0].text.zh")


def test_warnings_come_back_with_the_saved_draft(settings, store, auth):
    body = SMILE.replace("Welcome 😀", "Welcome").replace("12s", "1s")
    response = put(settings, store, auth, body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["state"] == "draft" and store.revision(answer["revision"]).state == "draft"
    (warning,) = answer["warnings"]
    assert warning["path"] == "items[0].duration" and warning["line"] == 4
    assert warning["reason"].startswith("1s is shorter than the 2.1s the Vietnamese text needs")


def test_contrast_is_checked_against_a_stored_background(settings, store, auth):
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (255, 255, 255)).save(out, format="PNG")
    ref = store.add_asset(out.getvalue(), "white.png")
    document = {"name": "welcome", "items": [{
        "kind": "message", "text": {"vi": "Chào mừng", "en": "Welcome", "zh": "欢迎"},
        "background": ref, "style": {"color": "#ffff00"}}]}
    with client_for(settings, store) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=20) as client:
            response = client.put("/api/playlists/welcome", content=json.dumps(document),
                                  headers={"Content-Type": "application/json", **auth})
    assert response.status_code == 201
    (warning,) = response.json()["warnings"]
    assert warning["path"] == "items[0].style.color" and "4.4:1" in warning["reason"]
