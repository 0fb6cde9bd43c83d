"""The admin API against a real uvicorn server on 127.0.0.1, with a fake clock.

The player is not running here: tests write status.json and frame.png themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from fastapi import HTTPException
from PIL import Image

import signage
from signage.api import check_routes_need_token, create_app
from signage.api.server import ServerLimits, serving_on_loopback
from signage.api.deps import PrincipalDep, require_role
from signage.clock import FakeClock
from signage.content.documents import MAX_DOCUMENT_BYTES
from signage.store.runtime import PLAYER_STALE_AFTER_S, write_atomically, write_json
from signage.settings import Settings
from signage.store import Store
from signage.store.access import Principal
from tests.conftest import add_image

START = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)

WELCOME_YAML = """\
name: welcome
items:
  - kind: message
    duration: 12s
    text:
      vi: "Chào mừng quý khách đến Cửa khẩu Quốc tế Thanh Thủy"
      en: "Welcome to Thanh Thuy International Border Gate"
      zh: "欢迎来到清水国际口岸"
"""

YAML = {"Content-Type": "application/yaml"}
JSON = {"Content-Type": "application/json"}


def message_playlist(zh: str = "欢迎来到清水国际口岸", name: str | None = "welcome") -> dict:
    doc = {"items": [{"kind": "message", "text": {"vi": "Chào mừng", "en": "Welcome", "zh": zh}}]}
    return {"name": name, **doc} if name else doc


def png_bytes(color=(200, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 8), color).save(out, format="PNG")
    return out.getvalue()


# --- a real server -------------------------------------------------------------------


@contextlib.contextmanager
def serve(app, limits: ServerLimits = ServerLimits()) -> Iterator[str]:
    """Run `app` under uvicorn, configured as `signage api` runs it (server_config), on a
    free loopback port; yield its base URL."""
    settings = getattr(app.state, "settings", None) or Settings(Path("."), Path("."))
    with serving_on_loopback(app, settings, limits) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=START)


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", runtime_dir=tmp_path / "run")
    settings.runtime_dir.mkdir(parents=True)
    return settings


@pytest.fixture
def store(settings, clock) -> Iterator[Store]:
    store = Store(settings.data_dir, clock)
    yield store
    store.close()


@pytest.fixture
def client(settings, clock, store) -> Iterator[httpx.Client]:
    with serve(create_app(settings, clock, store)) as url:
        # trust_env=False: no proxy from the environment; only loopback traffic.
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
            yield client


def bearer(store: Store, role: str, name: str | None = None) -> dict[str, str]:
    """Authorization headers for a new API token with `role`."""
    return {"Authorization": f"Bearer {store.access.create_token(name or f'ci-{role}', role)}"}


@pytest.fixture
def auth(store) -> dict[str, str]:
    """An editor: publishes and reads content."""
    return bearer(store, "editor")


@pytest.fixture
def tech(store) -> dict[str, str]:
    """A technician: reads status and the screen."""
    return bearer(store, "technician")


@pytest.fixture
def approver(store) -> dict[str, str]:
    """An approver: makes drafts live."""
    return bearer(store, "approver")


def publish(client: httpx.Client, editor: dict, approver: dict,
            path: str = "/api/playlists/welcome", **request) -> httpx.Response:
    """The whole workflow: save a draft as `editor`, submit it, approve it as `approver`.
    Returns the save's answer (revision, warnings); fails the test if a step is refused."""
    saved = client.put(path, headers={**request.pop("headers", {}), **editor}, **request)
    assert saved.status_code == 201, saved.text
    revision = saved.json()["revision"]
    for step, caller in (("submit", editor), ("approve", approver)):
        answer = client.post(f"/api/revisions/{revision}/{step}", headers=caller)
        assert answer.status_code == 200, (step, answer.text)
    return saved


def write_status(settings: Settings, clock: FakeClock, age_s: float = 0.0, **fields) -> dict:
    stamp = clock.now() - dt.timedelta(seconds=age_s)
    document = {"updated_at": stamp.isoformat(), "pid": 4242, "fps": 29.9,
                "item": {"playlist": "welcome", "index": 0}, **fields}
    write_json(settings.status_path, document)
    return document


def write_frame(settings: Settings, clock: FakeClock, age_s: float = 0.5) -> bytes:
    data = png_bytes()
    write_atomically(settings.snapshot_path, data)
    mtime = clock.now().timestamp() - age_s
    os.utime(settings.snapshot_path, (mtime, mtime))
    return data


# --- health ---------------------------------------------------------------------------


def test_health_is_200_without_a_token_when_the_status_is_fresh(client, settings, clock):
    write_status(settings, clock, age_s=0.25)

    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {
        "state": "ok",
        "player": {"alive": True, "status_age_s": 0.25},
        "live_revision": None,
    }


@pytest.mark.parametrize(
    ("age_s", "alive"),
    [(PLAYER_STALE_AFTER_S, True), (PLAYER_STALE_AFTER_S + 0.1, False), (3600.0, False)],
    ids=["at-the-limit", "just-stale", "an-hour-old"],
)
def test_health_follows_the_clock_as_the_status_ages(client, settings, clock, age_s, alive):
    write_status(settings, clock)
    clock.advance(age_s)

    response = client.get("/api/health")

    assert response.status_code == (200 if alive else 503)
    body = response.json()
    assert body["state"] == ("ok" if alive else "down")
    assert body["player"] == {"alive": alive, "status_age_s": age_s}


def test_health_is_503_with_the_same_shape_when_there_is_no_status(client):
    response = client.get("/api/health")

    assert response.status_code == 503
    assert response.json() == {
        "state": "down",
        "player": {"alive": False, "status_age_s": None},
        "live_revision": None,
    }


@pytest.mark.parametrize(
    "updated_at",
    [None, "yesterday", "2026-11-26T08:00:00", "2026-11-26T09:00:00+00:00"],
    ids=["missing", "not-a-date", "naive", "an-hour-in-the-future"],
)
def test_health_is_503_when_the_status_stamp_cannot_be_trusted(client, settings, updated_at):
    write_json(settings.status_path, {"pid": 1, **({"updated_at": updated_at} if updated_at else {})})

    response = client.get("/api/health")

    assert response.status_code == 503
    assert response.json()["player"]["alive"] is False


def test_health_reports_the_live_revision_and_nothing_private(client, settings, clock, store, auth,
                                                              approver):
    write_status(settings, clock, secret_note="do not leak")
    revision = publish(client, auth, approver, content=WELCOME_YAML, headers=YAML)

    body = client.get("/api/health").json()

    assert body["live_revision"] == revision.json()["revision"] == store.content.live_revision()
    assert "do not leak" not in json.dumps(body) and "welcome" not in json.dumps(body)


# --- auth -----------------------------------------------------------------------------

PROTECTED = [
    ("GET", "/api/status"),
    ("GET", "/api/screen.png"),
    ("GET", "/api/playlists"),
    ("PUT", "/api/playlists/welcome"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer sgn_not-a-real-token", "Bearer not-even-prefixed", "Basic YWRtaW46YWRtaW4="],
    ids=["none", "wrong", "unprefixed", "basic"],
)
def test_protected_routes_refuse_a_missing_or_wrong_token(client, settings, clock, method, path,
                                                          authorization):
    write_status(settings, clock)
    write_frame(settings, clock)
    headers = {**YAML, **({"Authorization": authorization} if authorization else {})}

    response = client.request(method, path, headers=headers, content=WELCOME_YAML)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    detail = response.json()["detail"]
    assert "POST /api/login" in detail and "signage token create --role ROLE" in detail


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_a_revoked_token_is_refused(client, settings, clock, store, method, path):
    write_status(settings, clock)
    write_frame(settings, clock)
    role = "technician" if path.startswith(("/api/status", "/api/screen")) else "editor"
    headers = {**YAML, **bearer(store, role, "soon-revoked")}
    works = client.request(method, path, headers=headers, content=WELCOME_YAML)
    assert works.status_code == (201 if method == "PUT" else 200)
    store.access.revoke_token("soon-revoked")

    response = client.request(method, path, headers=headers, content=WELCOME_YAML)

    assert response.status_code == 401
    assert "unknown, expired or revoked" in response.json()["detail"]


def test_the_token_is_checked_before_the_body_is_read(client):
    response = client.put("/api/playlists/welcome", content=b"#" * (2 * MAX_DOCUMENT_BYTES),
                          headers={"Content-Type": "text/plain"})

    assert response.status_code == 401


def test_every_route_but_health_and_login_declares_its_roles(settings, clock, store):
    app = create_app(settings, clock, store)
    check_routes_need_token(app)  # create_app has run it too; this pins the contract

    @app.get("/api/forgot-the-token")
    def forgot_the_token() -> dict:
        return {}

    with pytest.raises(RuntimeError, match="GET /api/forgot-the-token"):
        check_routes_need_token(app)


def test_a_route_with_a_credential_but_no_role_is_refused_too(settings, clock, store):
    app = create_app(settings, clock, store)

    @app.get("/api/anyone-logged-in")
    def anyone_logged_in(principal: PrincipalDep) -> dict:
        return {}

    with pytest.raises(RuntimeError, match="GET /api/anyone-logged-in"):
        check_routes_need_token(app)


def test_require_role_refuses_other_roles_and_unknown_names():
    check = require_role("editor", "approver")
    technician = Principal("tech", "technician", "token")

    with pytest.raises(HTTPException) as refused:
        check(technician)

    assert refused.value.status_code == 403
    assert "'technician'" in refused.value.detail and "editor or approver" in refused.value.detail
    assert check(Principal("ed", "editor", "user")).name == "ed"
    with pytest.raises(ValueError, match="admni"):
        require_role("admni")


# --- status and screen ----------------------------------------------------------------


def test_status_passes_the_player_document_through_with_its_age(client, settings, clock, tech):
    written = write_status(settings, clock, age_s=1.5, driver={"kind": "emulated", "ok": True})

    response = client.get("/api/status", headers=tech)

    assert response.status_code == 200
    # The API may add what it measures itself (disk, memory); the player's fields pass as
    # is, its times shown at the site's offset.
    assert written["updated_at"] == "2026-11-26T07:59:58.500000+00:00"
    expected = {**written, "updated_at": "2026-11-26T14:59:58.500000+07:00",
                "status_age_s": 1.5, "player_alive": True}
    assert {key: response.json().get(key) for key in expected} == expected


def test_status_says_when_the_player_has_gone_quiet(client, settings, clock, tech):
    write_status(settings, clock)
    clock.advance(10)

    body = client.get("/api/status", headers=tech).json()

    assert body["player_alive"] is False and body["status_age_s"] == 10.0


def test_status_is_503_before_the_player_writes_one(client, tech):
    response = client.get("/api/status", headers=tech)

    assert response.status_code == 503
    assert "signage player" in response.json()["detail"]


def test_screen_png_is_the_snapshot_file(client, settings, clock, tech):
    written = write_frame(settings, clock, age_s=0.5)

    response = client.get("/api/screen.png", headers=tech)

    assert response.status_code == 200
    assert response.content == written
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Age"] == "0.500"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG" and image.size == (16, 8)


def test_screen_png_age_follows_the_clock(client, settings, clock, tech):
    write_frame(settings, clock, age_s=0.0)
    clock.advance(42)

    response = client.get("/api/screen.png", headers=tech)

    assert float(response.headers["X-Frame-Age"]) == pytest.approx(42.0, abs=0.01)


def test_screen_png_is_503_without_a_snapshot(client, settings, tech):
    assert client.get("/api/screen.png", headers=tech).status_code == 503
    settings.snapshot_path.write_bytes(b"not a png")  # a player bug must not pass as image/png

    response = client.get("/api/screen.png", headers=tech)

    assert response.status_code == 503
    assert "no frame snapshot" in response.json()["detail"]


# --- publishing playlists ---------------------------------------------------------------


def test_put_yaml_saves_a_draft_that_is_not_live(client, store, auth):
    response = client.put("/api/playlists/welcome", content=WELCOME_YAML, headers={**YAML, **auth})

    assert response.status_code == 201
    revision = response.json()["revision"]
    assert response.json() == {"name": "welcome", "revision": revision, "state": "draft",
                               "warnings": []}
    assert store.content.live_content() is None and store.content.playlist_names() == []
    assert store.revisions.get(revision).state == "draft"


def test_an_approved_draft_is_live_and_active(client, store, auth, approver):
    revision = publish(client, auth, approver, content=WELCOME_YAML, headers=YAML).json()["revision"]

    live = store.content.live_content()
    assert live.revision == revision == store.content.live_revision()
    assert live.playlist.name == "welcome"
    assert live.playlist.items[0].text.zh == "欢迎来到清水国际口岸"


@pytest.mark.parametrize("media_type", ["application/x-yaml", "text/yaml; charset=utf-8"])
def test_put_accepts_the_other_yaml_types(client, auth, media_type):
    response = client.put("/api/playlists/welcome", content=WELCOME_YAML,
                          headers={"Content-Type": media_type, **auth})

    assert response.status_code == 201


def test_put_json_replaces_the_live_text_with_a_new_revision(client, store, auth, approver):
    first = publish(client, auth, approver, content=WELCOME_YAML, headers=YAML)

    second = publish(client, auth, approver, json=message_playlist(zh="口岸今日开放"))

    assert second.json()["revision"] > first.json()["revision"]
    assert store.content.live_revision() == second.json()["revision"]
    assert store.content.live_content().playlist.items[0].text.zh == "口岸今日开放"


def test_put_json_is_read_as_json_not_as_yaml(client, store, auth, approver):
    # json.dumps escapes 𠮷 as a surrogate pair and may indent with tabs; YAML would
    # store lone surrogates for the first and refuse the second.
    body = json.dumps(message_playlist(zh="𠮷野家 欢迎"), indent="\t")

    publish(client, auth, approver, content=body, headers=JSON)

    assert store.content.live_content().playlist.items[0].text.zh == "𠮷野家 欢迎"


def test_put_fills_the_name_from_the_path(client, store, auth, approver):
    response = publish(client, auth, approver, "/api/playlists/lobby",
                       json=message_playlist(name=None))

    assert response.json()["name"] == "lobby"
    assert store.content.live_content().playlist.name == "lobby"
    listing = client.get("/api/playlists", headers=auth).json()
    assert listing["playlists"] == ["lobby"]
    assert listing["active"] == {"name": "lobby", "revision": response.json()["revision"]}
    assert listing["on_screen"]["lobby"]["in_schedule"] is True  # no schedule: it plays


def test_put_lists_every_problem_with_its_line(client, store, auth):
    body = WELCOME_YAML.replace('      zh: "欢迎来到清水国际口岸"\n', "") + (
        "  - kind: message\n"
        "    duraton: 5s\n"
        "    text: {vi: a, en: b, zh: c}\n"
    )

    response = client.put("/api/playlists/welcome", content=body, headers={**YAML, **auth})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"path": "items[0].text.zh", "reason": "is required", "line": 5,
         "code": "missing", "params": {}},
        {"path": "items[1].duraton", "reason": "is not a known field; did you mean duration?",
         "line": 9, "code": "extra_forbidden",
         "params": {"suggestion": "duration", "mistake": "suggest"}},
    ]
    assert "not saved (2 problems)" in response.json()["message"]
    assert response.json()["code"] == "playlist_not_saved"
    assert store.revisions.all() == []
    assert store.content.live_revision() is None


def test_put_refuses_an_unknown_field(client, auth):
    body = WELCOME_YAML + "colour: red\n"

    response = client.put("/api/playlists/welcome", content=body, headers={**YAML, **auth})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"path": "colour", "reason": "is not a known field; check its spelling", "line": 9,
         "code": "extra_forbidden", "params": {}}
    ]


def test_put_json_problems_carry_lines_too(client, auth):
    body = json.dumps(message_playlist(zh=""), indent=2)

    response = client.put("/api/playlists/welcome", content=body, headers={**JSON, **auth})

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["path"] == "items[0].text.zh"
    zh_line = next(n for n, text in enumerate(body.splitlines(), 1) if '"zh": ""' in text)
    assert problem["line"] == zh_line


@pytest.mark.parametrize(
    ("body", "media_type", "line"),
    [("name: welcome\nitems: [\n", "application/yaml", 3),
     ('{"name": "welcome",\n "items": [}', "application/json", 2),
     ('{"name": "a", "name": "b"}', "application/json", 1)],
    ids=["yaml", "json", "json-duplicate-key"],
)
def test_put_refuses_unreadable_documents(client, auth, body, media_type, line):
    response = client.put("/api/playlists/welcome", content=body,
                          headers={"Content-Type": media_type, **auth})

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["line"] == line


def test_put_refuses_a_name_that_differs_from_the_path(client, store, auth):
    response = client.put("/api/playlists/lobby", content=WELCOME_YAML, headers={**YAML, **auth})

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["path"] == "name" and problem["line"] == 1
    assert "'welcome'" in problem["reason"] and "'lobby'" in problem["reason"]
    assert store.content.live_revision() is None


def test_put_refuses_an_invalid_name_in_the_path(client, auth):
    response = client.put("/api/playlists/Welcome%20Gate", json=message_playlist(name=None),
                          headers=auth)

    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "name"


@pytest.mark.parametrize(
    "media_type", [None, "text/plain", "multipart/form-data; boundary=x", "application/jsonx"]
)
def test_put_refuses_other_content_types(client, auth, media_type):
    headers = {**auth, **({"Content-Type": media_type} if media_type else {})}

    response = client.put("/api/playlists/welcome", content=WELCOME_YAML, headers=headers)

    assert response.status_code == 415
    detail = response.json()["detail"]
    for accepted in ("application/yaml", "application/x-yaml", "text/yaml", "application/json"):
        assert accepted in detail


def test_put_refuses_a_body_over_the_limit_by_its_length(client, store, auth):
    body = WELCOME_YAML + "#" * (MAX_DOCUMENT_BYTES - len(WELCOME_YAML.encode()) + 1)

    response = client.put("/api/playlists/welcome", content=body, headers={**YAML, **auth})

    assert response.status_code == 413
    assert str(MAX_DOCUMENT_BYTES) in response.json()["detail"]
    assert store.content.live_revision() is None


def test_put_refuses_a_streamed_body_over_the_limit(client, store, auth):
    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while reading
        yield WELCOME_YAML.encode()
        for _ in range(MAX_DOCUMENT_BYTES // 65536 + 1):
            yield b"#" * 65536

    response = client.put("/api/playlists/welcome", content=chunks(), headers={**YAML, **auth})

    assert response.status_code == 413
    assert store.content.live_revision() is None


def test_a_body_at_the_limit_is_read(client, auth):
    body = WELCOME_YAML + "#" * (MAX_DOCUMENT_BYTES - len(WELCOME_YAML.encode()))

    response = client.put("/api/playlists/welcome", content=body, headers={**YAML, **auth})

    assert response.status_code == 201


def test_put_refuses_assets_that_are_not_stored(client, store, auth):
    missing = "sha256:" + "ab" * 32
    body = {
        "items": [
            {"kind": "image", "asset": missing},
            {"kind": "message", "background": "photos/gate.png",
             "text": {"vi": "a", "en": "b", "zh": "c"}},
        ]
    }

    response = client.put("/api/playlists/welcome", json=body, headers=auth)

    assert response.status_code == 422
    problems = response.json()["detail"]
    assert [p["path"] for p in problems] == ["items[0].asset", "items[1].background"]
    assert missing in problems[0]["reason"]
    assert store.content.live_revision() is None


def test_put_accepts_a_stored_asset(client, store, auth, approver):
    ref = add_image(store, png_bytes(), original_name="gate.png")
    body = {"items": [{"kind": "image", "asset": ref, "fit": "cover"}]}

    publish(client, auth, approver, "/api/playlists/gate", json=body)

    assert store.content.live_content().playlist.asset_refs() == {ref}


# --- lifecycle ------------------------------------------------------------------------


def test_the_app_opens_and_closes_its_own_store(settings, clock):
    setup = Store(settings.data_dir, clock)
    editor, approver = (bearer(setup, role, f"deploy-{role}") for role in ("editor", "approver"))
    setup.close()
    app = create_app(settings, clock)

    with serve(app) as url, httpx.Client(base_url=url, trust_env=False) as client:
        response = publish(client, editor, approver, content=WELCOME_YAML, headers=YAML)
        opened = app.state.store_slot.store

    with pytest.raises(Exception, match="closed"):
        opened.content.live_revision()
    reopened = Store(settings.data_dir, clock)
    assert reopened.content.live_revision() == response.json()["revision"]
    reopened.close()


def test_openapi_needs_a_credential(client):
    """It names the version health keeps to itself, and every route to try."""
    response = client.get("/openapi.json")

    assert response.status_code == 401
    assert signage.__version__ not in response.text


def test_openapi_is_served_and_titled(client, tech):
    schema = client.get("/openapi.json", headers=tech).json()

    assert schema["info"] == {"title": "Signage admin API", "version": signage.__version__}
