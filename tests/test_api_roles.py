"""Deny by default, checked from the outside: every operation in the OpenAPI document
refuses a caller without a credential (401) and every role it does not list (403), and
lets one role it lists through (whatever the handler then says about the empty request).
"""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from signage.api import create_app
from signage.clock import FakeClock
from signage.settings import Settings
from signage.store import Store
from signage.store.access import ROLES
from tests.test_api import START, serve

PUBLIC = {("GET", "/api/health"), ("POST", "/api/login")}

# The matrix as agreed for issue 6 (see signage/api/deps.py). A new route does not need a
# line here to be checked by the tests below, but a change to one of these must be meant.
EXPECTED_ROLES = {
    ("POST", "/api/logout"): {"editor", "approver", "technician", "admin"},
    ("GET", "/api/status"): {"technician"},
    ("GET", "/api/status/history"): {"technician"},
    ("GET", "/api/screen.png"): {"technician"},
    ("GET", "/api/playlists"): {"editor", "approver", "technician"},
    ("PUT", "/api/playlists/{name}"): {"editor", "approver"},
    ("GET", "/api/schedule"): {"editor", "approver", "technician"},
    ("GET", "/api/schedule/plan"): {"editor", "approver", "technician"},
    ("PUT", "/api/schedule"): {"editor", "approver"},
    ("GET", "/api/emergency"): {"editor", "approver", "technician"},
    ("POST", "/api/emergency"): {"approver"},
    ("DELETE", "/api/emergency/{emergency_id}"): {"approver"},
    ("POST", "/api/playlists/{name}/rollback"): {"approver"},
    ("POST", "/api/schedule/rollback"): {"approver"},
    ("GET", "/api/revisions"): {"editor", "approver", "technician"},
    ("GET", "/api/revisions/{revision_id}"): {"editor", "approver", "technician"},
    ("GET", "/api/revisions/{revision_id}/preview.png"): {"editor", "approver", "technician"},
    ("POST", "/api/revisions/{revision_id}/submit"): {"editor", "approver"},
    ("POST", "/api/revisions/{revision_id}/approve"): {"approver"},
    ("POST", "/api/revisions/{revision_id}/reject"): {"approver"},
    ("GET", "/api/audit"): {"admin"},
    ("GET", "/api/users"): {"admin"},
    ("POST", "/api/users"): {"admin"},
    ("DELETE", "/api/users/{name}"): {"admin"},
    ("GET", "/api/tokens"): {"admin"},
    ("POST", "/api/tokens"): {"admin"},
    ("DELETE", "/api/tokens/{name}"): {"admin"},
    ("GET", "/api/assets"): {"editor", "approver", "technician"},
    ("POST", "/api/assets"): {"editor", "approver"},
    ("DELETE", "/api/assets/{asset_id}"): {"editor", "approver"},
    ("GET", "/api/panel"): {"technician"},
    ("PUT", "/api/panel/brightness"): {"technician"},
    ("PUT", "/api/panel/power"): {"technician"},
    ("PUT", "/api/panel/test-pattern"): {"technician"},
    ("DELETE", "/api/panel/{control}"): {"technician"},
    ("GET", "/metrics"): {"technician"},
    ("GET", "/api/plays"): {"technician", "approver"},
    ("GET", "/api/plays/summary"): {"technician", "approver"},
}


def _settings(root) -> Settings:
    settings = Settings(data_dir=root / "data", runtime_dir=root / "run")
    settings.runtime_dir.mkdir(parents=True)
    return settings


def _operations() -> list[tuple[str, str, dict]]:
    """(METHOD, path, operation) for every operation the app documents."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as root:  # the document does not depend on settings
        schema = create_app(_settings(Path(root))).openapi()
    return [(method.upper(), path, operation)
            for path, item in schema["paths"].items() for method, operation in item.items()]


OPERATIONS = _operations()
PROTECTED = [op for op in OPERATIONS if (op[0], op[1]) not in PUBLIC]


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[tuple[httpx.Client, dict[str, dict]]]:
    """A real server, and Authorization headers for one API token per role."""
    settings = _settings(tmp_path_factory.mktemp("roles"))
    clock = FakeClock(start=START)
    store = Store(settings.data_dir, clock)
    headers = {role: {"Authorization": f"Bearer {store.access.create_token(f'as-{role}', role)}"}
               for role in ROLES}
    # a second admin, to confirm what the first makes (separation of duties)
    headers["admin2"] = {"Authorization": f"Bearer {store.access.create_token('as-admin2', 'admin')}"}
    try:
        with serve(create_app(settings, clock, store)) as url:
            with httpx.Client(base_url=url, trust_env=False, timeout=20) as client:
                yield client, headers
    finally:
        store.close()


def minimal_request(path: str, operation: dict) -> dict:
    """httpx.request arguments with every path parameter filled and an empty JSON body."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = "1" if parameter["schema"].get("type") == "integer" else "nobody"
            path = path.replace("{" + parameter["name"] + "}", value)
    request = {"url": path}
    if "requestBody" in operation:
        request.update(content=b"{}", headers={"Content-Type": "application/json"})
    return request


def call(client: httpx.Client, method: str, path: str, operation: dict,
         auth: dict | None = None) -> httpx.Response:
    request = minimal_request(path, operation)
    headers = {**request.pop("headers", {}), **(auth or {})}
    return client.request(method, headers=headers, **request)


def ids(operations) -> list[str]:
    return [f"{method} {path}" for method, path, _ in operations]


def test_the_document_lists_every_route_and_only_health_and_login_are_public():
    documented = {(method, path) for method, path, _ in OPERATIONS}
    assert set(EXPECTED_ROLES) | PUBLIC <= documented
    for method, path, operation in OPERATIONS:
        if (method, path) in PUBLIC:
            assert "x-roles" not in operation and "security" not in operation
        else:
            assert operation["x-roles"], f"{method} {path} lists no roles"
            assert operation["security"] == [{"HTTPBearer": []}]


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED_ROLES), ids=" ".join)
def test_the_role_matrix_is_as_agreed(method, path):
    [operation] = [op for m, p, op in OPERATIONS if (m, p) == (method, path)]
    assert set(operation["x-roles"]) == EXPECTED_ROLES[method, path]
    assert "Roles: " in operation["description"]


@pytest.mark.parametrize(("method", "path", "operation"), PROTECTED, ids=ids(PROTECTED))
def test_no_credential_gets_401(api, method, path, operation):
    client, _ = api

    response = call(client, method, path, operation)

    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "operation"), PROTECTED, ids=ids(PROTECTED))
def test_every_role_not_listed_gets_403_naming_the_roles_needed(api, method, path, operation):
    client, headers = api
    refused = [role for role in ROLES if role not in operation["x-roles"]]

    for role in refused:
        response = call(client, method, path, operation, headers[role])

        assert response.status_code == 403, (role, response.text)
        detail = response.json()["detail"]
        assert f"'{role}'" in detail and operation["x-roles"][0] in detail


@pytest.mark.parametrize(("method", "path", "operation"), PROTECTED, ids=ids(PROTECTED))
def test_a_listed_role_gets_past_auth(api, method, path, operation):
    client, headers = api

    for role in operation["x-roles"]:
        response = call(client, method, path, operation, headers[role])

        # 404/422/503 are the handler's answer to an empty request: auth let it through.
        assert response.status_code not in (401, 403), (role, response.text)
        assert response.status_code != 500, (role, response.text)


def test_a_logged_in_person_is_held_to_their_role_like_a_token(api):
    client, headers = api
    password = "correct horse battery"
    created = client.post("/api/users", json={"name": "lan", "role": "technician",
                                              "password": password}, headers=headers["admin"])
    assert created.status_code == 201, created.text
    assert client.post("/api/users/lan/confirm", headers=headers["admin2"]).status_code == 200
    session = client.post("/api/login", json={"name": "lan", "password": password}).json()
    auth = {"Authorization": f"Bearer {session['token']}"}

    assert client.get("/api/playlists", headers=auth).status_code == 200
    refused = client.put("/api/schedule", json={}, headers=auth)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("the user 'lan' has the role 'technician'")
