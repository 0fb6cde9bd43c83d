"""The browser-test harness itself, proven on small pages: Debian's Chromium starts and loads a
page from the real server, the people can sign in, axe finds a planted violation (and nothing
on a clean page), a planted wide element makes the page scroll sideways at 390 px, and the
sign-in helper works the console's form contract (name, password, hidden csrf, a cookie).

The small pages carry a CSP as strict as the console's (no inline script or style), so axe is
shown to run under it.
"""

from __future__ import annotations

import html
import subprocess
from typing import Iterator

import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from signage.devtools.browser import (CHROMIUM, OFFICE, PHONE, axe_violations,
                                      horizontal_overflow, overflowing_elements, sign_in)
from tests.test_api import serve

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'"
CSRF = "csrf-token-of-the-form"
PASSWORD = "mat-khau-dung-1"
STYLE = "body { margin: 0; font: 16px sans-serif; } #wide { width: 600px; height: 20px; }"


def document(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/style.css"></head><body><main><h1>{title}</h1>'
            f'{body}</main></body></html>')


PAGES = {
    "/clean": document("Trang sạch", "<p>Không có gì sai.</p>"),
    "/no-alt": document("Ảnh thiếu mô tả", '<img src="/style.css" width="10" height="10">'),
    "/wide": document("Trang rộng", '<div id="wide">rộng 600 px</div>'),
    # only a moderate finding: a heading level skipped
    "/moderate": document("Tiêu đề nhảy cấp", "<h4>Mục con</h4>"),
}


def page_answer(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGES[request.url.path], headers={"Content-Security-Policy": CSP})


def stylesheet(request: Request) -> HTMLResponse:
    return HTMLResponse(STYLE, media_type="text/css")


def signin_form(request: Request, said: str = "") -> HTMLResponse:
    """The console's form contract: name, password, a hidden csrf; an error re-renders it."""
    body = (f'<p role="alert">{html.escape(said)}</p><form method="post" action="/signin">'
            f'<input type="hidden" name="csrf" value="{CSRF}">'
            '<label>Tên <input name="name"></label>'
            '<label>Mật khẩu <input name="password" type="password"></label>'
            '<button type="submit">Đăng nhập</button></form>')
    return HTMLResponse(document("Đăng nhập", body), status_code=401 if said else 200,
                        headers={"Content-Security-Policy": CSP})


async def signin_post(request: Request):
    form = await request.form()
    if form.get("csrf") != CSRF or form.get("password") != PASSWORD:
        return signin_form(request, "Sai tên hoặc mật khẩu")
    answer = RedirectResponse("/home", status_code=303)
    answer.set_cookie("signage_session", str(form["name"]), httponly=True, samesite="strict")
    return answer


def home(request: Request) -> HTMLResponse:
    who = request.cookies.get("signage_session")
    said = f"Xin chào {html.escape(who)}" if who else "Chưa đăng nhập"
    return HTMLResponse(document("Trang chủ", f'<p id="who">{said}</p>'),
                        headers={"Content-Security-Policy": CSP})


@pytest.fixture
def small_site() -> Iterator[str]:
    routes = [Route(path, page_answer) for path in PAGES]
    routes += [Route("/style.css", stylesheet), Route("/signin", signin_form, methods=["GET"]),
               Route("/signin", signin_post, methods=["POST"]), Route("/home", home)]
    with serve(Starlette(routes=routes)) as url:
        yield url


@pytest.fixture
def small_page(open_context, small_site):
    return open_context(base_url=small_site).new_page()


def test_the_browser_is_debians_chromium(chromium):
    said = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True,
                          check=True).stdout
    assert chromium.version in said, (chromium.version, said)


def test_a_page_loads_from_the_real_server(page):
    answer = page.goto("/api/health")

    assert answer.status == 503  # no player wrote a status in this data dir
    assert '"alive":false' in page.locator("body").inner_text().replace(" ", "")


def test_every_person_can_sign_in_on_the_server_and_a_wrong_password_cannot(page, people):
    for person in people.values():
        answer = page.request.post("/api/login", data={"name": person.name,
                                                       "password": person.password})
        assert answer.status == 200, (person, answer.text())
        assert answer.json()["token"]
    wrong = page.request.post("/api/login", data={"name": people["editor"].name,
                                                  "password": "not-the-password"})
    assert wrong.status == 401


def test_axe_finds_an_image_without_alt_as_serious_or_critical(small_page):
    small_page.goto("/no-alt")

    found = axe_violations(small_page)

    assert [v["id"] for v in found] == ["image-alt"], found
    assert found[0]["impact"] in ("serious", "critical")
    assert found[0]["targets"] == ["img"]


def test_axe_finds_nothing_on_a_clean_page_under_a_strict_csp(small_page):
    answer = small_page.goto("/clean")

    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert axe_violations(small_page) == []
    # the stylesheet applied: axe saw the page as a person does
    assert small_page.evaluate("getComputedStyle(document.body).margin") == "0px"


def test_axe_reports_only_serious_and_critical_unless_asked(small_page):
    small_page.goto("/moderate")

    assert axe_violations(small_page) == []
    every = axe_violations(small_page, impacts=("minor", "moderate", "serious", "critical"))
    assert [v["id"] for v in every] == ["heading-order"]


def test_a_wide_element_scrolls_a_phone_sideways(small_page):
    small_page.set_viewport_size(PHONE)
    small_page.goto("/wide")

    assert horizontal_overflow(small_page) == 600 - PHONE["width"]
    assert "div#wide" in overflowing_elements(small_page)


@pytest.mark.parametrize(("path", "viewport"), [("/clean", PHONE), ("/wide", OFFICE)])
def test_no_sideways_scroll_when_everything_fits(small_page, path, viewport):
    small_page.set_viewport_size(viewport)
    small_page.goto(path)

    assert horizontal_overflow(small_page) == 0
    assert overflowing_elements(small_page) == []


def test_sign_in_fills_the_form_and_lands_signed_in(small_page):
    sign_in(small_page, "lan", PASSWORD)

    expect(small_page.locator("#who")).to_have_text("Xin chào lan")
    assert small_page.url.endswith("/home")


def test_sign_in_says_what_the_page_said_when_refused(small_page):
    with pytest.raises(AssertionError, match="Sai tên hoặc mật khẩu"):
        sign_in(small_page, "lan", "wrong-password")


def test_another_persons_context_shares_no_cookie(small_site, open_context):
    mine = open_context(base_url=small_site).new_page()
    theirs = open_context(base_url=small_site).new_page()
    sign_in(mine, "lan", PASSWORD)

    theirs.goto("/home")

    expect(theirs.locator("#who")).to_have_text("Chưa đăng nhập")
    expect(mine.locator("#who")).to_have_text("Xin chào lan")
