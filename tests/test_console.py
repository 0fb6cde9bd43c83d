"""The staff console's frame on a real server: signing in and out, cookies, CSRF, CSP,
languages, static files, and deny by default for pages."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import APIRouter, Depends

from signage.console import app as console_app
from signage.console.auth import SESSION_COOKIE, page_for
from signage.console.i18n import translations
from signage.devtools.console_words import conflicting, missing, used_messages
from signage.store.access import ROLES
from tests.console_helpers import (PASSWORD, add_people, browser_like, client,  # noqa: F401
                                   csrf_of, form_field, sign_in, url)
from tests.test_api import serve


def set_cookie_of(response: httpx.Response, name: str) -> str:
    return next(value for value in response.headers.get_list("set-cookie")
                if value.startswith(f"{name}="))


def test_a_page_without_a_session_leads_to_the_sign_in_form_in_vietnamese(client):
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    form = client.get("/signin")
    assert form.status_code == 200
    assert '<html lang="vi">' in form.text and "Đăng nhập" in form.text
    assert 'autocomplete="current-password"' in form.text


def test_signing_in_sets_an_httponly_strict_session_cookie_and_opens_the_overview(client):
    answer = sign_in(client, "lan")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = set_cookie_of(answer, SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback: a Secure cookie would never return
    page = client.get("/")
    assert page.status_code == 200 and "Tổng quan" in page.text and "lan" in page.text


def test_behind_a_tls_proxy_the_session_cookie_is_secure(settings, clock, store):
    import dataclasses
    add_people(store)
    trusting = dataclasses.replace(settings, trusted_proxies=("127.0.0.1",))
    with serve(console_app.create_console_app(trusting, clock, store)) as url:
        with browser_like(url) as client:
            client.headers["X-Forwarded-Proto"] = "https"
            client.headers["Origin"] = url.replace("http://", "https://")
            nonce = form_field(client.get("/signin").text, "csrf")
            # The nonce cookie is Secure too, so this plain-HTTP client sends it by hand.
            answer = client.post("/signin", data={"name": "lan", "password": PASSWORD,
                                                  "csrf": nonce},
                                 headers={"Cookie": f"signage_signin={nonce}"})
    assert answer.status_code == 303
    assert "secure" in set_cookie_of(answer, SESSION_COOKIE).lower()


def test_pages_forbid_inline_script_and_framing(client):
    answers = [client.get("/signin")]
    sign_in(client, "lan")
    answers.append(client.get("/"))
    for answer in answers:
        assert answer.status_code == 200
        policy = answer.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    page = client.get("/").text
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_a_cross_site_sign_in_post_is_refused(client, origin):
    nonce = form_field(client.get("/signin").text, "csrf")
    answer = client.post("/signin", headers={"Origin": origin},
                         data={"name": "lan", "password": PASSWORD, "csrf": nonce})
    assert answer.status_code == 403
    assert "trang khác" in answer.text and SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_a_cross_site_form_post_with_the_session_cookie_is_refused(client):
    sign_in(client, "lan")
    token = csrf_of(client)
    refused = client.post("/signout", data={"csrf": token},
                          headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert client.get("/").status_code == 200, "the refused post must not have signed out"
    no_token = client.post("/signout", data={"csrf": "0" * 64})
    assert no_token.status_code == 403 and "Mã bảo vệ biểu mẫu" in no_token.text
    assert client.get("/").status_code == 200


def test_a_post_with_neither_origin_nor_referer_is_refused(url):
    with httpx.Client(base_url=url, trust_env=False, follow_redirects=False) as bare:
        nonce = form_field(bare.get("/signin").text, "csrf")
        answer = bare.post("/signin", data={"name": "lan", "password": PASSWORD, "csrf": nonce})
    assert answer.status_code == 403


def test_signing_out_ends_the_session_on_the_server(client, url):
    sign_in(client, "lan")
    session = client.cookies[SESSION_COOKIE]
    answer = client.post("/signout", data={"csrf": csrf_of(client)})
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    # The copied cookie no longer opens anything, in the console or the API.
    with httpx.Client(base_url=url, trust_env=False, follow_redirects=False,
                      cookies={SESSION_COOKIE: session}) as thief:
        assert thief.get("/").status_code == 303
        assert thief.get("/api/status", headers={"Authorization": f"Bearer {session}"}
                         ).status_code == 401


def test_an_expired_session_says_so_on_the_sign_in_page(client, clock):
    sign_in(client, "lan")
    clock.advance(2 * 3600)
    answer = client.get("/")
    assert answer.status_code == 303 and "expired=1" in answer.headers["location"]
    page = client.get(answer.headers["location"])
    assert "Phiên làm việc đã hết hạn" in page.text


def test_wrong_password_and_throttle_are_said_in_vietnamese(client):
    wrong = sign_in(client, "lan", "sai-mat-khau-roi")
    assert wrong.status_code == 401 and "Tên hoặc mật khẩu không đúng" in wrong.text
    for _ in range(4):
        sign_in(client, "lan", "sai-mat-khau-roi")
    throttled = sign_in(client, "lan")
    assert throttled.status_code == 429 and "Đăng nhập sai quá nhiều lần" in throttled.text


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_after_signing_in_the_console_never_sends_a_person_off_the_box(client, next_path):
    answer = sign_in(client, "lan", next_path=next_path)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_the_page_asked_for_opens_after_signing_in(client):
    first = client.get("/screen.png")
    assert first.headers["location"] == "/signin?next=/screen.png"
    page = client.get(first.headers["location"])
    assert form_field(page.text, "next") == "/screen.png"


def test_text_from_the_address_bar_is_shown_as_text(client):
    page = client.get("/signin", params={"next": '/"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text
    page = client.post("/signin", data={"name": '<script>alert(1)</script>', "password": "x",
                                        "csrf": form_field(client.get("/signin").text, "csrf")})
    assert page.status_code == 401
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text


def test_the_language_can_be_switched_to_english_and_back(client):
    sign_in(client, "lan")
    answer = client.post("/language", data={"lang": "en", "back": "/"})
    assert answer.status_code == 303
    page = client.get("/")
    assert '<html lang="en">' in page.text and "Overview" in page.text
    client.post("/language", data={"lang": "xx", "back": "/"})
    assert '<html lang="vi">' in client.get("/").text


def test_static_files_are_kept_by_browsers_and_nothing_else_is_served(client):
    page = client.get("/signin").text
    css = re.search(r'href="(/static/[0-9a-f]+/console\.css)"', page).group(1)
    answer = client.get(css)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    assert "immutable" in answer.headers["cache-control"]
    for path in ("/static/x/../app.py", "/static/x/app.py", "/static/x/nothing.css",
                 "/static/x/%2e%2e/auth.py"):
        answer = client.get(path)
        assert answer.status_code != 200 and "import" not in answer.text, path


def test_the_wall_picture_is_the_last_frame_the_player_presented(client, settings):
    sign_in(client, "tuan")
    assert client.get("/screen.png").status_code == 204  # no frame yet: nothing to show
    from tests.test_api import png_bytes
    settings.snapshot_path.parent.mkdir(parents=True, exist_ok=True)
    settings.snapshot_path.write_bytes(png_bytes((0, 200, 0)))
    answer = client.get("/screen.png")
    assert answer.status_code == 200 and answer.content == png_bytes((0, 200, 0))


def test_every_word_of_the_console_has_its_vietnamese(store):
    assert used_messages(), "the extractor found nothing: it is not reading the console"
    assert missing("vi") == []
    assert conflicting("vi") == [], "one word, two translations: keep one"
    vi = translations("vi")
    for role in ROLES:
        assert vi.gettext(role.capitalize()) != role.capitalize(), role


def test_a_page_of_another_role_is_refused_in_words(settings, clock, store):
    add_people(store)
    app = console_app.create_console_app(settings, clock, store)
    router = APIRouter()

    @router.get("/only-editors")
    def only_editors(who=Depends(page_for("editor"))):
        return {"ok": True}

    app.include_router(router)
    with serve(app) as url, browser_like(url) as client:
        sign_in(client, "tuan")
        answer = client.get("/only-editors")
    assert answer.status_code == 403
    assert "Biên tập viên" in answer.text and "Kỹ thuật viên" in answer.text


def test_a_console_route_that_declares_no_roles_stops_the_app(settings, clock, store, monkeypatch):
    router = APIRouter()

    @router.get("/open")
    def open_page():
        return {}

    monkeypatch.setattr(console_app, "ROUTERS", (*console_app.ROUTERS, router))
    with pytest.raises(RuntimeError, match="GET /open"):
        console_app.create_console_app(settings, clock, store)


def test_the_overview_says_what_plays_now_and_what_comes_next_in_local_time(client, settings,
                                                                           clock, store):
    from signage.schedule.rules import Schedule
    from tests.test_api import write_status
    from tests.test_api_schedule import publish_playlists
    publish_playlists(store, "welcome", "tet")
    store.content.publish_schedule(Schedule.model_validate({"default": "welcome", "rules": [
        {"name": "tet", "playlist": "tet", "time": "17:00-22:00"}]}), "import")
    settings.status_path.parent.mkdir(parents=True, exist_ok=True)
    # 01:00 UTC is 08:00 at the gate (UTC+7): welcome plays until tet at 17:00.
    write_status(settings, clock, state="playing", playlist="welcome", screen="content",
                 schedule={"rule": None}, item={"kind": "message", "remaining_s": 7.6})
    sign_in(client, "lan")
    page = client.get("/").text
    assert "26/11/2026 08:00" in page
    assert "Từ 17:00: tet" in page and "quy tắc tet" in page
    assert "còn 8 giây" in page and "Danh sách phát welcome" in page


def test_the_overview_shows_health_lights_and_the_last_day_as_charts(client, settings, clock):
    import datetime as dt
    from signage.store.history import MinutePoint, write_history
    from tests.test_api import write_status
    settings.status_path.parent.mkdir(parents=True, exist_ok=True)
    write_status(settings, clock, state="playing", playlist="welcome", fps=20.0, target_fps=30,
                 driver={"link": "up", "ok": True, "extra": {"cards": [
                     {"port": 1, "index": 0, "present": True, "temperature_c": 74.5,
                      "voltage_v": 5.0}]}},
                 time={"trusted": True})
    start = clock.now() - dt.timedelta(hours=2)
    write_history(settings.history_path, [
        MinutePoint(start + dt.timedelta(minutes=m), 60, fps_mean=29.5, fps_min=29.0,
                    temperature_max_c=60.0 + m / 10) for m in range(120)])
    sign_in(client, "tuan")
    page = client.get("/").text
    lights = dict(re.findall(r'data-code="([a-z_.]+)">.*?class="sentence">([^<]*)<', page, re.S))
    assert lights["frames.low"] == "20 khung hình/giây, thấp hơn 24."
    assert lights["card_temperature.high"] == "Card 1/0: 74,5 °C, vượt 70 °C."
    assert lights["panel_link.up"] == "Đã kết nối."
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "Nhiệt độ màn hình" in page and "Tốc độ khung hình" in page


def test_a_full_disk_is_said_in_words_on_a_page_and_as_json_to_programs(settings, clock, store):
    from signage.errors import StoreFull
    add_people(store)
    app = console_app.create_console_app(settings, clock, store)
    with serve(app) as url, browser_like(url) as client:
        sign_in(client, "lan")

        def full():
            raise StoreFull("no space left on device")

        app.state.store_slot.get = full
        page = client.get("/")
        api = client.get("/api/playlists", headers={"Authorization": "Bearer sgn_x"})
    assert page.status_code == 507 and "Bộ nhớ của hệ thống đã đầy" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert api.status_code == 507 and api.json()["state"]
