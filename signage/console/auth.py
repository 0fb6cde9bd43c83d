"""Who is using the console: a session cookie, the role a page needs, and CSRF.

A person signs in with the same users, passwords and throttle as POST /api/login; the
session token the store issues goes into an HttpOnly, SameSite=Strict cookie (Secure when
the request came over TLS), so page scripts never see it and no other site's page can
send it. Signing out revokes the session in the store, not only the cookie.

Every state-changing form carries a CSRF token, and its Origin (or Referer) must be this
box: SameSite=Strict already keeps the cookie off cross-site requests, the token and the
origin check hold where a browser or a proxy gets that wrong. The token is an HMAC of the
session token, so it needs no storage and dies with the session. The sign-in form has no
session yet: it pairs a random cookie with the same value in the form (double submit).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from typing import Annotated, Callable
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request, status

from signage.console.i18n import pick_language
from signage.store.access import ROLES, Principal

SESSION_COOKIE = "signage_session"
SIGNIN_COOKIE = "signage_signin"
LANGUAGE_COOKIE = "signage_lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
LANGUAGE_COOKIE_MAX_AGE_S = 400 * 24 * 3600  # browsers cap cookie lives at 400 days


@dataclasses.dataclass(frozen=True)
class Visitor:
    """Who is looking at a page: signed in (principal set) or not, and in which language."""

    lang: str
    principal: Principal | None = None
    session: str | None = None

    @property
    def csrf(self) -> str:
        return csrf_for(self.session) if self.session else ""

    @property
    def role(self) -> str | None:
        return self.principal.role if self.principal else None


class SignInNeeded(Exception):
    """The page needs a person signed in; the app answers with the sign-in page."""

    def __init__(self, next_path: str, expired: bool):
        self.next_path, self.expired = next_path, expired


class NotYourRole(Exception):
    """A signed-in person whose role does not open this page."""

    def __init__(self, visitor: Visitor, roles: tuple[str, ...]):
        self.visitor, self.roles = visitor, roles


def csrf_for(session: str) -> str:
    return hmac.new(session.encode(), b"signage-console-csrf", hashlib.sha256).hexdigest()


def visitor(request: Request) -> Visitor:
    """The visitor of this request; the session is checked against the store.

    Plain def: it reads SQLite (in FastAPI's thread pool)."""
    cached = getattr(request.state, "visitor", None)
    if cached is not None:
        return cached
    lang = pick_language(request.cookies.get(LANGUAGE_COOKIE))
    session = request.cookies.get(SESSION_COOKIE)
    principal = None
    if session:
        access = request.app.state.store_slot.get().access
        principal = access.verify_credential(session)
        if principal is None or principal.kind != "user":
            principal, session = None, None
    found = Visitor(lang, principal, session if principal else None)
    request.state.visitor = found
    return found


VisitorDep = Annotated[Visitor, Depends(visitor)]


def page_for(*roles: str) -> Callable[..., Visitor]:
    """A dependency for a page that `roles` may open: the visitor, or the sign-in page
    (not signed in) or a refusal page (another role). Carries `.roles`, like the API's
    require_role, so the app refuses to start with a console route that declares none."""
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        raise ValueError(f"unknown roles {unknown or '(none given)'}; known: {', '.join(ROLES)}")

    def check(request: Request, who: VisitorDep) -> Visitor:
        if who.principal is None:
            raise SignInNeeded(_here(request), bool(request.cookies.get(SESSION_COOKIE)))
        if who.principal.pending or who.principal.role not in roles:
            raise NotYourRole(who, roles)
        return who

    check.roles = tuple(roles)  # type: ignore[attr-defined]
    return check


def every_role() -> Callable[..., Visitor]:
    return page_for(*ROLES)


def _here(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def safe_next(next_path: str | None) -> str:
    """Where to go after signing in: a path on this box only (never //evil or a URL)."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//") \
            or "\\" in next_path or urlsplit(next_path).netloc:
        return "/"
    return next_path


def signin_url(next_path: str, expired: bool = False) -> str:
    query = f"next={quote(next_path, safe='/')}" if next_path != "/" else ""
    if expired:
        query = "&".join(part for part in (query, "expired=1") if part)
    return "/signin" + (f"?{query}" if query else "")


# --- state-changing requests -------------------------------------------------------------


class CrossSiteRefused(HTTPException):
    def __init__(self, why: str):
        super().__init__(status.HTTP_403_FORBIDDEN, detail=why)


def same_origin(request: Request) -> bool:
    """The request's Origin (or, without one, its Referer) is this box."""
    here = f"{request.url.scheme}://{request.url.netloc}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == here
    referer = request.headers.get("referer")
    if referer is None:
        return False
    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}" == here


async def check_form(request: Request, expected: str) -> None:
    """Refuse a state-changing request from another site or without the right token."""
    check_origin(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        sent = (await request.form()).get(CSRF_FIELD)
    check_token(sent, expected)


def check_origin(request: Request) -> None:
    """CrossSiteRefused unless the request comes from a page of this box."""
    if not same_origin(request):
        raise CrossSiteRefused("Yêu cầu đến từ trang khác nên bị từ chối. / The request came "
                               "from another site and is refused.")


def check_token(sent: object, expected: str) -> None:
    """CrossSiteRefused unless `sent` is the visitor's CSRF token `expected`. For a form
    whose body is not read as a form (an upload streams): check_origin, then this."""
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CrossSiteRefused("Mã bảo vệ biểu mẫu sai hoặc đã hết hạn; hãy tải lại trang và "
                               "thử lại. / The form's security code is wrong or has expired; "
                               "reload the page and try again.")


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith("application/x-www-form-urlencoded") or \
        kind.startswith("multipart/form-data")


def action_for(*roles: str) -> Callable[..., object]:
    """A dependency for a POST that `roles` may make: the page check, then CSRF."""
    page = page_for(*roles)

    # A default, not Annotated[..., Depends(page)]: annotations are strings here (future
    # import) and FastAPI cannot resolve the local `page` in one, so it took `who` for a
    # query parameter and every POST answered 422.
    async def check(request: Request, who: Visitor = Depends(page)) -> Visitor:
        await check_form(request, who.csrf)
        return who

    check.roles = page.roles  # type: ignore[attr-defined]
    return check


def new_signin_nonce() -> str:
    return secrets.token_urlsafe(24)


def cookie_flags(request: Request) -> dict:
    """HttpOnly and SameSite=Strict always; Secure when the visit came over TLS."""
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https",
            "path": "/"}

