"""The people and tokens page on a real server: a user made by one admin works only once a
second admin confirms them; a token's secret is shown once; revoke and disable end them;
refusals in Vietnamese at their field; names shown as text; admins only."""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest

from tests.console_helpers import PASSWORD, add_people, browser_like, console_server, csrf_of, sign_in


@pytest.fixture
def url(settings, clock, store):
    add_people(store)
    store.access.create_user("thu", "admin", PASSWORD)  # a second admin (made at the box)
    with console_server(settings, clock, store) as url:
        yield url


@contextlib.contextmanager
def signed_in(url, name, password=PASSWORD):
    with browser_like(url) as client:
        answer = sign_in(client, name, password)
        assert answer.status_code == 303, answer.text
        yield client


def post(client, path, **fields) -> httpx.Response:
    return client.post(path, data={"csrf": csrf_of(client, "/people"), **fields})


def row_of(html: str, name: str) -> str:
    found = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', html, re.S)
    assert found, f"no row for {name}"
    return found.group(1)


def test_a_new_user_signs_in_only_after_a_second_admin_confirms(url, store):
    with signed_in(url, "quan") as quan:
        made = post(quan, "/people/users", name="mai", role="editor",
                    password="mat-khau-cua-mai-1", password_again="mat-khau-cua-mai-1")
        assert made.status_code == 303 and made.headers["location"] == "/people?done=user-created"
        page = quan.get(made.headers["location"]).text
        assert "Đã tạo người dùng. Một quản trị viên khác phải xác nhận" in page
        row = row_of(page, "mai")
        assert "Đang chờ quản trị viên khác xác nhận" in row
        assert "Xác nhận" not in row, "the maker is not offered the confirmation"
        refused = post(quan, "/people/users/confirm", name="mai")
        assert refused.status_code == 403
        assert "quản trị viên đã tạo thì không thể tự xác nhận" in refused.text
    with browser_like(url) as mai:
        sign_in(mai, "mai", "mat-khau-cua-mai-1")
        assert mai.get("/").status_code == 403  # pending: no page opens
    with signed_in(url, "thu") as thu:
        assert "Xác nhận" in row_of(thu.get("/people").text, "mai")
        confirmed = post(thu, "/people/users/confirm", name="mai")
        assert confirmed.status_code == 303
        assert "Đang hoạt động" in row_of(thu.get("/people").text, "mai")
    with signed_in(url, "mai", "mat-khau-cua-mai-1") as mai:
        assert mai.get("/").status_code == 200
    actions = [(e.actor, e.action, e.target) for e in store.records.audit_page(action="user")]
    assert actions[:2] == [("thu", "user.confirm", "mai"), ("quan", "user.create", "mai")]


@pytest.mark.parametrize("fields, field, words", [
    ({"name": "mai", "role": "editor", "password": "ngan", "password_again": "ngan"},
     "password", "phải có ít nhất 12 ký tự"),
    ({"name": "mai", "role": "editor", "password": "mat-khau-dai-1",
      "password_again": "mat-khau-dai-2"}, "password_again", "hai mật khẩu không giống nhau"),
    ({"name": "Lan Anh", "role": "editor", "password": "mat-khau-dai-1",
      "password_again": "mat-khau-dai-1"}, "name", "không có dấu cách"),
    ({"name": "mai", "role": "root", "password": "mat-khau-dai-1",
      "password_again": "mat-khau-dai-1"}, "role", "phải là một trong"),
])
def test_a_bad_new_user_is_refused_at_its_field(url, store, fields, field, words):
    with signed_in(url, "quan") as quan:
        answer = post(quan, "/people/users", **fields)
    assert answer.status_code == 422
    assert words in answer.text and f'id="{field}-error"' in answer.text
    assert "mai" not in [u.name for u in store.access.users()]


def test_a_taken_name_is_refused(url):
    with signed_in(url, "quan") as quan:
        answer = post(quan, "/people/users", name="lan", role="editor",
                      password="mat-khau-dai-1", password_again="mat-khau-dai-1")
    assert answer.status_code == 409 and "tên &#39;lan&#39; đã được dùng" in answer.text


def test_a_token_is_shown_once_works_after_confirmation_and_stops_when_revoked(url, store):
    with signed_in(url, "quan") as quan:
        made = post(quan, "/people/tokens", name="weather-feed", role="editor")
        assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
        secret = re.search(r'id="secret" class="secret-value" value="(sgn_[^"]+)"', made.text).group(1)
        assert "mã này sẽ không hiện lại" in made.text
        later = quan.get("/people").text
        assert secret not in later and "weather-feed" in later
        assert "Đang chờ quản trị viên khác xác nhận" in row_of(later, "weather-feed")
    with httpx.Client(base_url=url, trust_env=False) as script:
        bearer = {"Authorization": f"Bearer {secret}"}
        assert script.get("/api/playlists", headers=bearer).status_code == 403  # pending
        with signed_in(url, "thu") as thu:
            assert post(thu, "/people/tokens/confirm", name="weather-feed").status_code == 303
        assert script.get("/api/playlists", headers=bearer).status_code == 200
        with signed_in(url, "thu") as thu:
            revoked = post(thu, "/people/tokens/revoke", name="weather-feed")
            assert revoked.status_code == 303
            assert "Đã thu hồi" in row_of(thu.get(revoked.headers["location"]).text,
                                          "weather-feed")
        assert script.get("/api/playlists", headers=bearer).status_code == 401


def test_disabling_a_user_ends_their_session(url):
    with signed_in(url, "lan") as lan:
        assert lan.get("/").status_code == 200
        with signed_in(url, "quan") as quan:
            answer = post(quan, "/people/users/disable", name="lan")
            assert answer.status_code == 303
            assert "Đã vô hiệu hóa" in row_of(quan.get("/people").text, "lan")
        assert lan.get("/").status_code == 303  # back to the sign-in form


def test_names_are_shown_as_text(url, store):
    with signed_in(url, "quan") as quan:
        answer = post(quan, "/people/users", name="<script>alert(1)</script>", role="editor",
                      password="mat-khau-dai-1", password_again="mat-khau-dai-1")
        assert answer.status_code == 422
        assert "<script>alert(1)" not in answer.text
        assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in answer.text
        answer = post(quan, "/people/tokens/revoke", name="<img src=x onerror=alert(2)>")
    assert answer.status_code == 404 and "<img src=x" not in answer.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in answer.text


@pytest.mark.parametrize("name", ["lan", "minh", "tuan"])
def test_other_roles_are_refused_the_page_and_its_forms(url, store, name):
    with signed_in(url, name) as client:
        assert client.get("/people").status_code == 403
        answer = client.post("/people/tokens", data={"csrf": csrf_of(client, "/"),
                                                     "name": "sneaky", "role": "admin"})
    assert answer.status_code == 403
    assert "sneaky" not in [t.name for t in store.access.tokens()]
