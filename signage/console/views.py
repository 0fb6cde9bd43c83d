"""Rendering pages: one Jinja2 environment per language, the page frame, the headers.

Autoescape is on for every template, so any text a person typed (a message, a file name, a
reason) is shown as text. Pages send their own Content-Security-Policy: scripts, styles,
fonts and pictures only from this box, no inline script or style, never framed.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Mapping

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from signage.console.auth import Visitor
from signage.console.i18n import LANGUAGE_NAMES, translations
from signage.console.pages import PAGES, Page

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: "
               "blob:; media-src 'self' blob:; font-src 'self'; connect-src 'self'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
PAGE_HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP,
    # Pages name people and what is on a government screen: no cache keeps them.
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    # Not the API's no-referrer: under it Chromium sends "Origin: null" with a page's own
    # form posts, and the origin check (auth.same_origin) refuses every one of them.
    "Referrer-Policy": "same-origin",
}


@functools.cache
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty string
        trim_blocks=True, lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(static=static_url, LANGUAGE_NAMES=LANGUAGE_NAMES)
    return env


@functools.cache
def static_url(name: str) -> str:
    """/static/<hash>/<name>: the hash changes with the file, so browsers may keep it
    for a year and never use a stale one (a slow link loads each file once)."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{digest}/{name}"


def nav_for(visitor: Visitor) -> list[Page]:
    return [page for page in PAGES if page.in_nav and visitor.role in page.roles]


def render(request: Request, visitor: Visitor, template: str, status_code: int = 200,
           headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
    """The page `template` for `visitor`, in their language, with the console's headers."""
    env = environment(visitor.lang)
    html = env.get_template(template).render(
        visitor=visitor, lang=visitor.lang, nav=nav_for(visitor), path=request.url.path,
        **context)
    return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})
