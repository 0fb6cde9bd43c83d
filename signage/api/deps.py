"""Dependencies: the app's shared objects, and auth (a token, then a role).

Routes declare what they need (`TokenDep`, `Depends(require_role("admin"))`); no
handler checks credentials itself.
"""

from __future__ import annotations

from typing import Annotated, Callable

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from signage.clock import Clock
from signage.settings import Settings
from signage.store import ROLES, Store, TokenInfo

HOW_TO_AUTHENTICATE = (
    "send Authorization: Bearer <token>; make one with "
    "`signage token create --role admin --name NAME`"
)

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `signage token create --role admin --name NAME`.",
)


# async: these only read app state, so they need no worker thread.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


async def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
StoreDep = Annotated[Store, Depends(get_store)]


def require_token(
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenInfo:
    """The caller's live token, or 401. Plain def: verify_token may write to SQLite."""
    if credentials is None:
        raise _unauthorized(f"this needs an API token: {HOW_TO_AUTHENTICATE}", "Bearer")
    token = store.verify_token(credentials.credentials)
    if token is None:
        raise _unauthorized(
            f"the token is unknown or revoked: {HOW_TO_AUTHENTICATE}",
            'Bearer error="invalid_token"',
        )
    return token


def _unauthorized(detail: str, challenge: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": challenge})


TokenDep = Annotated[TokenInfo, Depends(require_token)]


def require_role(*roles: str) -> Callable[[TokenInfo], TokenInfo]:
    """A dependency that lets through only tokens with one of `roles` (else 403)."""
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        # Caught at import time, so a typo cannot silently lock everyone out.
        raise ValueError(f"unknown roles {unknown or '(none given)'}; known: {', '.join(ROLES)}")

    def check_role(token: TokenDep) -> TokenInfo:
        if token.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"the token {token.name!r} has the role {token.role!r}; this needs "
                f"{' or '.join(roles)} (make one with `signage token create --role "
                f"{roles[0]} --name NAME`)",
            )
        return token

    return check_role
