"""Dependencies: the app's shared objects, and auth (a credential, then a role).

Every route but the public ones declares the roles that may call it with
`dependencies=[Depends(require_role(...))]`; create_app refuses a route that declares none,
and no handler checks credentials itself. A credential is a person's session token (from
POST /api/login) or an API token (`signage token create`); both carry one role.

Who may do what, in short: editors save drafts and upload; approvers submit, approve,
reject, roll back and post emergency notices; technicians read status, screen, metrics and
plays and set brightness, power and test patterns; admins manage people and tokens only, so
a stolen admin session cannot change what is on screen: what an admin makes over the API
can do nothing until a different admin confirms it (services/people.py). The README has the full table and
tests/test_api_roles.py pins every operation's roles against the OpenAPI document.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Awaitable, Callable

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from signage.clock import Clock
from signage.settings import Settings
from signage.store.access import ROLES, Access, Principal
from signage.store.assets import Assets
from signage.store.content import Content
from signage.store.desired import Desired
from signage.store.records import Records
from signage.store.jobs import Jobs
from signage.store.revisions import Revisions

HOW_TO_AUTHENTICATE = (
    "send Authorization: Bearer <token>; log in with POST /api/login, or make an API token "
    "with `signage token create --role ROLE --name NAME`"
)

_bearer = HTTPBearer(
    auto_error=False,
    description="A session token from POST /api/login, or an API token from "
    "`signage token create --role ROLE --name NAME`.",
)


# async: these only read app state, so they need no worker thread.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


async def get_site_zone(request: Request) -> zoneinfo.ZoneInfo:
    """The site's time zone: every time in an answer is shown at its offset."""
    return zoneinfo.ZoneInfo(request.app.state.settings.site_timezone)


def _repository(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency that gives the store's repository `name` (store.assets, ...)."""
    async def repository(request: Request) -> Any:
        return getattr(request.app.state.store_slot.get(), name)  # or why there is none

    return repository


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SiteZoneDep = Annotated[zoneinfo.ZoneInfo, Depends(get_site_zone)]
# The store's repositories, one dependency each: a route names the ones it uses.
AssetsDep = Annotated[Assets, Depends(_repository("assets"))]
ContentDep = Annotated[Content, Depends(_repository("content"))]
RevisionsDep = Annotated[Revisions, Depends(_repository("revisions"))]
DesiredDep = Annotated[Desired, Depends(_repository("desired"))]
AccessDep = Annotated[Access, Depends(_repository("access"))]
RecordsDep = Annotated[Records, Depends(_repository("records"))]
JobsDep = Annotated[Jobs, Depends(_repository("jobs"))]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_credential(access: AccessDep, credentials: BearerDep) -> Principal:
    """Who is calling (a person's session or an API token), or 401.

    Plain def: it reads SQLite. It never writes (last-used times are flushed later)."""
    if credentials is None:
        raise _unauthorized(f"this needs a credential: {HOW_TO_AUTHENTICATE}", "Bearer")
    principal = access.verify_credential(credentials.credentials)
    if principal is None:
        raise _unauthorized(
            f"the token is unknown, expired or revoked: {HOW_TO_AUTHENTICATE}",
            'Bearer error="invalid_token"',
        )
    return principal


def _unauthorized(detail: str, challenge: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail,
                         headers={"WWW-Authenticate": challenge})


PrincipalDep = Annotated[Principal, Depends(require_credential)]


_PENDING = ("the {kind} {name!r} was made by an admin and waits for a different admin to "
            "confirm it (POST /api/{path}/{name}/confirm); until then it can do nothing")


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that lets through only callers with one of `roles` (else 403).

    The returned function carries `.roles`, which create_app reads to refuse routes that
    declare none and to list them in the OpenAPI document (x-roles)."""
    unknown = sorted(set(roles) - set(ROLES))
    if not roles or unknown:
        # Caught at import time, so a typo cannot silently lock everyone out.
        raise ValueError(f"unknown roles {unknown or '(none given)'}; known: {', '.join(ROLES)}")

    def check_role(principal: PrincipalDep) -> Principal:
        if principal.pending:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=_PENDING.format(
                kind=principal.kind, name=principal.name, path=f"{principal.kind}s"))
        if principal.role not in roles:
            who = "user" if principal.kind == "user" else "token"
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"the {who} {principal.name!r} has the role {principal.role!r}; this "
                f"needs the role {' or '.join(roles)}; ask an admin for a credential with it",
            )
        return principal

    check_role.roles = tuple(roles)  # type: ignore[attr-defined]
    return check_role


def roles_of(dependant) -> tuple[str, ...] | None:
    """The roles a route's dependency tree allows (None when it declares none)."""
    for dependency in dependant.dependencies:
        found = getattr(dependency.call, "roles", None) or roles_of(dependency)
        if found:
            return found
    return None
