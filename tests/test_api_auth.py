"""Logging in and out, sessions that expire, the login throttle, people and tokens for
admins, and the hardening every answer gets (headers, CORS, body size)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Iterator

import httpx
import pytest
from fastapi import Depends, Request

from signage.api import create_app
from signage.api.deps import require_role
from signage.api.routes.auth import FailedLogins
from signage.api.security import SECURITY_HEADERS, body_limit
from signage.errors import SignageError
from signage.settings import Settings
from signage.store.access import SESSION_LIFETIME
from tests.test_api import (START, bearer, client, clock, serve, settings, store,  # noqa: F401
                            write_frame)

PASSWORD = "núi đá Hà Giang 2026"


@pytest.fixture
def admin(store) -> dict[str, str]:
    return bearer(store, "admin")


@pytest.fixture
def admin2(store) -> dict[str, str]:
    """A second admin, to confirm what the first makes."""
    return bearer(store, "admin", "second-admin")


@pytest.fixture
def lan(store):
    """A technician who logs in with a password."""
    return store.access.create_user("lan", "technician", PASSWORD)


def login(client: httpx.Client, name: str = "lan", password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/login", json={"name": name, "password": password})


def session_headers(response: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['token']}"}


# --- login, sessions, logout ------------------------------------------------------------


def test_login_gives_a_session_token_with_its_expiry_and_role(client, lan, clock):
    response = login(client)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "expires_at", "role"} and body["role"] == "technician"
    assert dt.datetime.fromisoformat(body["expires_at"]) == START + SESSION_LIFETIME
    assert client.get("/api/playlists", headers=session_headers(response)).status_code == 200


@pytest.mark.parametrize(("name", "password"), [("lan", "wrong password!"), ("nobody", PASSWORD)],
                         ids=["wrong-password", "unknown-name"])
def test_a_wrong_login_is_401_and_does_not_say_which_part_was_wrong(client, lan, name, password):
    response = login(client, name, password)

    assert response.status_code == 401
    assert response.json()["detail"] == "the name or password is wrong, or the user is disabled"
    assert "token" not in response.json()


def test_a_session_stops_working_when_it_expires(client, lan, clock):
    headers = session_headers(login(client))
    clock.advance(SESSION_LIFETIME.total_seconds() - 1)
    assert client.get("/api/status", headers=headers).status_code == 503  # in, no player

    clock.advance(1)

    response = client.get("/api/status", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_logout_ends_the_session_at_once(client, lan):
    headers = session_headers(login(client))

    response = client.post("/api/logout", headers=headers)

    assert response.status_code == 204 and response.content == b""
    assert client.get("/api/playlists", headers=headers).status_code == 401
    assert client.post("/api/logout", headers=headers).status_code == 401


def test_logout_with_an_api_token_says_how_to_revoke_it(client, store):
    token = bearer(store, "editor", "script")

    response = client.post("/api/logout", headers=token)

    assert response.status_code == 400
    assert "signage token revoke" in response.json()["detail"]
    assert client.get("/api/playlists", headers=token).status_code == 200


def test_a_login_body_with_extra_fields_is_refused(client, lan):
    response = client.post("/api/login", json={"name": "lan", "password": PASSWORD, "role": "admin"})

    assert response.status_code == 422


# --- the login throttle -----------------------------------------------------------------


def test_five_failed_logins_lock_the_address_out_until_the_window_passes(client, lan, clock):
    for _ in range(5):
        assert login(client, password="not the password").status_code == 401

    locked = login(client)  # the right password too: nothing is checked while locked

    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "300"
    assert "try again in 300 s" in locked.json()["detail"]
    clock.advance(299)
    assert login(client).headers["Retry-After"] == "1"
    clock.advance(1)
    assert login(client).status_code == 200


def test_the_throttle_counts_per_client_address(client, lan, settings):
    for _ in range(5):
        login(client, password="not the password")
    assert login(client).status_code == 429
    # Linux routes all of 127/8 to loopback: a second client address without a network.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=client.base_url, transport=transport, trust_env=False) as other:
        assert login(other).status_code == 200


def test_a_forged_forwarded_for_does_not_dodge_the_throttle(client, lan):
    """uvicorn believed X-Forwarded-For from 127.0.0.1: a new one per try was a new client."""
    for n in range(5):
        forged = {"X-Forwarded-For": f"203.0.113.{n}"}
        response = client.post("/api/login", headers=forged,
                               json={"name": "lan", "password": "not the password"})
        assert response.status_code == 401

    response = client.post("/api/login", headers={"X-Forwarded-For": "203.0.113.99"},
                           json={"name": "lan", "password": PASSWORD})

    assert response.status_code == 429
    assert "from this address" in response.json()["detail"]


def test_the_log_names_the_real_address_not_the_forged_one(client, lan, caplog):
    with caplog.at_level("WARNING", logger="signage.api.routes.auth"):
        client.post("/api/login", headers={"X-Forwarded-For": "203.0.113.5"},
                    json={"name": "lan", "password": "not the password"})

    assert "from 127.0.0.1" in caplog.text and "203.0.113.5" not in caplog.text


def test_a_trusted_proxy_forwards_the_client_address(settings, clock, store, lan):
    proxied = dataclasses.replace(settings, trusted_proxies=("127.0.0.0/8",))
    with serve(create_app(proxied, clock, store)) as url, \
            httpx.Client(base_url=url, trust_env=False) as client:
        for n in range(5):
            client.post("/api/login", headers={"X-Forwarded-For": "203.0.113.1"},
                        json={"name": "lan", "password": "not the password"})
        from_another = client.post("/api/login", headers={"X-Forwarded-For": "203.0.113.2"},
                                   json={"name": "lan", "password": PASSWORD})
        from_the_first = client.post("/api/login", headers={"X-Forwarded-For": "203.0.113.1"},
                                     json={"name": "lan", "password": PASSWORD})

    assert from_another.status_code == 200
    assert from_the_first.status_code == 429


def test_guesses_at_one_account_from_many_addresses_are_throttled(client, lan):
    """Eleven loopback addresses, each under its own limit, guessing at one account."""
    answers = []
    for n in range(2, 13):
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{n}")
        with httpx.Client(base_url=client.base_url, transport=transport,
                          trust_env=False) as other:
            answers.append(login(other, password="not the password").status_code)
    transport = httpx.HTTPTransport(local_address="127.0.0.20")
    with httpx.Client(base_url=client.base_url, transport=transport, trust_env=False) as other:
        right = login(other)

    assert answers == [401] * 10 + [429]
    assert right.status_code == 429 and "for this account" in right.json()["detail"]
    assert login(client, name="someone-else").status_code == 401  # other accounts: not locked


def test_a_password_typed_as_the_name_is_not_logged(client, lan, caplog):
    with caplog.at_level("WARNING", logger="signage.api.routes.auth"):
        login(client, name="hunter2hunter2", password="hunter2hunter2")
        login(client, password="not the password")

    assert "hunter2" not in caplog.text
    assert "an unknown name (14 characters)" in caplog.text
    assert "failed login for 'lan'" in caplog.text


def test_failures_leave_the_window_one_by_one():
    throttle = FailedLogins(limit=3, window_s=60)
    for at in (0.0, 10.0, 20.0):
        assert throttle.attempt("198.51.100.7", at) is None

    assert throttle.attempt("198.51.100.7", 30.0) == 30.0
    assert throttle.attempt("198.51.100.7", 60.0) is None  # the first one has aged out
    assert throttle.attempt("198.51.100.7", 61.0) == 9.0
    assert throttle.attempt("203.0.113.9", 30.0) is None


def test_attempts_count_until_they_succeed_so_a_burst_cannot_slip_through():
    throttle = FailedLogins(limit=2, window_s=60)
    assert throttle.attempt("198.51.100.7", 0.0) is None  # both in flight at once
    assert throttle.attempt("198.51.100.7", 0.0) is None
    assert throttle.attempt("198.51.100.7", 0.0) == 60.0

    throttle.succeeded("198.51.100.7", 0.0)

    assert throttle.attempt("198.51.100.7", 1.0) is None


# --- people and tokens for admins ---------------------------------------------------------


def test_an_admin_adds_lists_and_disables_people_without_seeing_a_hash(client, admin, admin2,
                                                                      store):
    created = client.post("/api/users", headers=admin,
                          json={"name": "minh", "role": "editor", "password": PASSWORD})
    assert created.status_code == 201, created.text
    assert created.json() == {"name": "minh", "role": "editor", "pending": True,
                              "created_at": created.json()["created_at"], "disabled": False}
    confirmed = client.post("/api/users/minh/confirm", headers=admin2)
    assert confirmed.json() == {**created.json(), "pending": False}
    session = session_headers(login(client, "minh"))

    listing = client.get("/api/users", headers=admin)
    assert listing.json()["users"] == [confirmed.json()]
    disabled = client.delete("/api/users/minh", headers=admin)

    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert client.get("/api/playlists", headers=session).status_code == 401
    assert login(client, "minh").status_code == 401
    for text in (created.text, listing.text, disabled.text):
        assert PASSWORD not in text and "scrypt" not in text and "hash" not in text
    assert client.delete("/api/users/minh", headers=admin).status_code == 404


@pytest.mark.parametrize(("body", "status"), [
    ({"name": "lan", "role": "editor", "password": PASSWORD}, 409),
    ({"name": "hoa", "role": "editor", "password": "short"}, 422),
    ({"name": "hoa", "role": "root", "password": PASSWORD}, 422),
    ({"name": "../hoa", "role": "editor", "password": PASSWORD}, 422),
    ({"name": "hoa", "role": "editor", "password": PASSWORD, "disabled": False}, 422),
], ids=["taken", "short-password", "unknown-role", "bad-name", "extra-field"])
def test_bad_new_users_are_refused(client, admin, lan, store, body, status):
    response = client.post("/api/users", headers=admin, json=body)

    assert response.status_code == status, response.text
    assert [u.name for u in store.access.users()] == ["lan"]


def test_a_new_token_is_shown_once_and_never_again(client, admin, admin2, store):
    created = client.post("/api/tokens", headers=admin, json={"name": "kiosk", "role": "technician"})
    assert created.status_code == 201, created.text
    secret = created.json()["token"]
    assert created.json() == {"name": "kiosk", "role": "technician", "token": secret,
                              "pending": True}
    assert client.post("/api/tokens/kiosk/confirm", headers=admin2).status_code == 200
    assert client.get("/api/status", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 503  # let in; no player is running

    listing = client.get("/api/tokens", headers=admin)

    kiosk = next(t for t in listing.json()["tokens"] if t["name"] == "kiosk")
    assert kiosk["role"] == "technician" and kiosk["revoked"] is False and kiosk["last_used_at"]
    assert secret not in listing.text
    assert hashlib.sha256(secret.encode()).hexdigest() not in listing.text
    assert client.post("/api/tokens", headers=admin,
                       json={"name": "kiosk", "role": "editor"}).status_code == 409


def test_revoking_a_token_stops_it_at_once(client, admin, admin2, store):
    secret = client.post("/api/tokens", headers=admin,
                         json={"name": "old-script", "role": "editor"}).json()["token"]
    client.post("/api/tokens/old-script/confirm", headers=admin2)

    revoked = client.delete("/api/tokens/old-script", headers=admin)

    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert "token" not in revoked.json()
    assert client.get("/api/playlists", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 401
    assert client.delete("/api/tokens/old-script", headers=admin).status_code == 404
    actions = [(e.action, e.target, e.detail) for e in store.records.audit_log()]
    assert actions[-3:] == [("token.create", "old-script", {"role": "editor", "pending": True}),
                            ("token.confirm", "old-script", {"made_by": "token:ci-admin"}),
                            ("token.revoke", "old-script", {})]
    assert secret not in repr(store.records.audit_log())


# --- headers, CORS, body size ----------------------------------------------------------


def test_every_answer_carries_the_security_headers(client, store, settings, clock):
    write_frame(settings, clock)
    tech = bearer(store, "technician")
    answers = [client.get("/api/health"), client.get("/api/status"),
               client.get("/api/screen.png", headers=tech), client.get("/nowhere"),
               client.post("/api/login", json={})]

    assert [a.status_code for a in answers] == [503, 401, 200, 404, 422]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (answer.request.url, name)


def test_a_bug_is_a_plain_500_with_the_security_headers(settings, clock, store, monkeypatch,
                                                        caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(store.records, "audit_log", broken)
    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False) as client:
            answer = client.get("/api/audit", headers=bearer(store, "admin"))

    assert answer.status_code == 500
    assert "journalctl" in answer.json()["detail"]
    assert "secret internals" not in answer.text
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value, name
    assert "secret internals" in caplog.text  # the traceback is in the API's log


def test_cors_is_off_by_default(settings, clock, store, monkeypatch):
    monkeypatch.delenv("SIGNAGE_CORS_ORIGINS", raising=False)
    origin = {"Origin": "https://evil.example"}

    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False) as client:
            preflight = client.options("/api/playlists", headers={
                **origin, "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization"})
            plain = client.get("/api/playlists", headers={**origin, **bearer(store, "editor")})

    assert preflight.status_code == 405
    assert plain.status_code == 200
    for answer in (preflight, plain):
        assert not any(h.lower().startswith("access-control-") for h in answer.headers)


def test_cors_allows_only_the_configured_origins(settings, clock, store):
    settings = Settings.from_env(
        {"SIGNAGE_CORS_ORIGINS": "https://admin.gate.example.vn, http://10.0.0.5:8000"},
        data_dir=settings.data_dir, runtime_dir=settings.runtime_dir)
    asks = {"Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type"}

    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False) as client:
            allowed = client.options("/api/schedule",
                                     headers={"Origin": "https://admin.gate.example.vn", **asks})
            other = client.options("/api/schedule", headers={"Origin": "https://evil.example", **asks})

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://admin.gate.example.vn"
    assert "PUT" in allowed.headers["Access-Control-Allow-Methods"]
    assert "access-control-allow-credentials" not in allowed.headers
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    assert allowed.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("text", ["*", "admin.example.vn", "https://admin.example.vn/path"])
def test_a_cors_setting_that_is_not_an_origin_is_refused_at_start(text):
    with pytest.raises(SignageError, match="SIGNAGE_CORS_ORIGINS.*scheme://host"):
        Settings.from_env({"SIGNAGE_CORS_ORIGINS": f"https://ok.example.vn, {text}"})


def test_the_cors_setting_reaches_the_app_from_the_environment():
    settings = Settings.from_env({"SIGNAGE_CORS_ORIGINS": "https://a.example.vn/, http://b.example.vn:8000"})
    assert settings.cors_origins == ("https://a.example.vn", "http://b.example.vn:8000")


def test_a_body_over_a_megabyte_is_refused_on_a_json_route(client, admin, store):
    padding = "x" * 1_000_001
    whole = client.post("/api/users", headers=admin,
                        json={"name": "big", "role": "editor", "password": padding})

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"name": "big", "role": "editor", "password": "'
        for _ in range(20):
            yield b"x" * 65536

    streamed = client.post("/api/users", headers={**admin, "Content-Type": "application/json"},
                           content=chunks())

    for answer in (whole, streamed):
        assert answer.status_code == 413
        assert answer.json()["detail"].startswith("the request body is larger than 1000000 bytes")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert store.access.users() == []


def test_a_route_can_declare_its_own_body_limit(settings, clock, store):
    app = create_app(settings, clock, store)

    @app.post("/api/big", dependencies=[Depends(require_role("editor"))])
    @body_limit(3_000_000)
    async def big(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    @app.post("/api/tiny", dependencies=[Depends(require_role("editor"))])
    @body_limit(10)
    async def tiny(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    editor = bearer(store, "editor")
    with serve(app) as url, httpx.Client(base_url=url, trust_env=False, timeout=20) as client:
        assert client.post("/api/big", content=b"x" * 2_500_000, headers=editor).json() == {
            "bytes": 2_500_000}
        refused = client.post("/api/big", content=b"x" * 3_000_001, headers=editor)
        assert refused.status_code == 413 and "3000000 bytes" in refused.json()["detail"]
        assert client.post("/api/tiny", content=b"x" * 10, headers=editor).status_code == 200
        assert client.post("/api/tiny", content=b"x" * 11, headers=editor).status_code == 413
        # Auth comes first: a stranger's body is not read at all.
        assert client.post("/api/big", content=b"x" * 3_000_001).status_code == 401
