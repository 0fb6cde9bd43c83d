"""Logging in and out: a person's name and password for a short-lived session token.

Failed logins are counted per client address and per account, and refused with 429 for a
while after too many of either: many addresses cannot share out the guesses at one account,
and one address cannot spread them over many accounts. The address is the socket's peer
unless it is a proxy named in SIGNAGE_TRUSTED_PROXIES (see api/server.py), so a forged
X-Forwarded-For neither dodges the count nor goes into the log. The count lives in memory: there is one API process, scrypt already makes each
guess slow, and keeping it in SQLite would let anyone on the network make the SD card
write on every wrong password. A restart forgets the count; that costs an attacker a
restart they cannot cause.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import math
import threading
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from signage.api.deps import AccessDep, BearerDep, ClockDep, PrincipalDep, require_role
from signage.store.access import ROLES

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["auth"])

MAX_FAILURES = 5            # per address
MAX_ACCOUNT_FAILURES = 10   # per account: more, since a locked account is a nuisance to its owner
FAILURE_WINDOW_S = 300.0
_MAX_ADDRESSES = 10_000  # a flood from many addresses must not grow memory without end


class FailedLogins:
    """Failures per client address in a sliding window; thread-safe (logins run in a pool).

    An attempt counts as a failure from the moment it starts until it succeeds, so a
    burst of parallel guesses cannot all pass the check before any of them fails."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S):
        self.limit, self.window_s = limit, window_s
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, address: str, now: float) -> float | None:
        """Start an attempt (None), or the seconds until `address` may try again."""
        with self._lock:
            if address not in self._failures and len(self._failures) >= _MAX_ADDRESSES:
                self._forget_stale(now)
            recent = self._recent(address, now)
            if len(recent) >= self.limit:
                return recent[0] + self.window_s - now
            recent.append(now)
            return None

    def succeeded(self, address: str, started: float) -> None:
        """The attempt started at `started` was right: it is not a failure."""
        with self._lock:
            recent = self._failures.get(address)
            if recent and started in recent:
                recent.remove(started)

    def _recent(self, address: str, now: float) -> collections.deque[float]:
        recent = self._failures.setdefault(address, collections.deque())
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        return recent

    def _forget_stale(self, now: float) -> None:
        for address in [a for a, times in self._failures.items()
                        if not times or times[-1] <= now - self.window_s]:
            del self._failures[address]
        if len(self._failures) >= _MAX_ADDRESSES:  # all fresh: drop the oldest quarter
            for address in list(self._failures)[: _MAX_ADDRESSES // 4]:
                del self._failures[address]


class LoginThrottle:
    """Failed logins per client address and per account name."""

    def __init__(self, by_address: FailedLogins | None = None,
                 by_account: FailedLogins | None = None):
        self.by_address = by_address or FailedLogins()
        self.by_account = by_account or FailedLogins(limit=MAX_ACCOUNT_FAILURES)

    def attempt(self, address: str, account: str, now: float) -> tuple[str, float] | None:
        """Start an attempt (None), or what is throttled and the seconds until it may try."""
        wait = self.by_address.attempt(address, now)
        if wait is not None:
            return "address", wait
        wait = self.by_account.attempt(account, now)
        if wait is not None:
            self.by_address.succeeded(address, now)  # this try never happened
            return "account", wait
        return None

    def succeeded(self, address: str, account: str, started: float) -> None:
        self.by_address.succeeded(address, started)
        self.by_account.succeeded(account, started)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Session(BaseModel):
    token: str
    expires_at: dt.datetime
    role: str = Field(json_schema_extra={"enum": list(ROLES)})


def failed_logins(request: Request) -> LoginThrottle:
    return request.app.state.failed_logins


def _loggable(access, name: str) -> str:
    """The name as typed if it is a user's; else not: people type passwords there too."""
    return repr(name) if access.has_user(name) else f"an unknown name ({len(name)} characters)"


@router.post(
    "/login",
    responses={
        400: {"description": "The body is not readable JSON"},
        401: {"description": "Wrong name or password, or a disabled user"},
        429: {"description": "Too many failed logins from this address or for this account; "
                            "see Retry-After"},
    },
)
def login(
    body: LoginRequest, request: Request, access: AccessDep, clock: ClockDep,
    throttle: Annotated[LoginThrottle, Depends(failed_logins)],
) -> Session:
    """A session token for a person; send it as Authorization: Bearer <token>."""
    outcome = attempt_login(access, throttle, clock, client_address(request), body.name,
                            body.password)
    if outcome.wait_s is not None:
        where = "from this address" if outcome.throttled == "address" else "for this account"
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"too many failed logins {where}; try again in {outcome.wait_s} s",
            headers={"Retry-After": str(outcome.wait_s)},
        )
    if outcome.token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            detail="the name or password is wrong, or the user is disabled",
                            headers={"WWW-Authenticate": "Bearer"})
    return Session(token=outcome.token, expires_at=outcome.expires_at, role=outcome.role)


@dataclasses.dataclass(frozen=True)
class LoginOutcome:
    """A session (token set), a wrong name or password (nothing set), or a throttle
    (`throttled` says whether the address or the account, `wait_s` for how long)."""

    token: str | None = None
    expires_at: dt.datetime | None = None
    role: str | None = None
    throttled: str | None = None
    wait_s: int | None = None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def attempt_login(access, throttle: LoginThrottle, clock, address: str, name: str,
                  password: str) -> LoginOutcome:
    """One login, counted by the throttle and logged: the API's and the console's."""
    account = name.casefold()
    started = clock.monotonic()
    throttled = throttle.attempt(address, account, started)
    if throttled is not None:
        what, wait = throttled
        log.warning("login refused: too many failures for this %s (from %s)", what, address)
        return LoginOutcome(throttled=what, wait_s=math.ceil(wait))
    session = access.login(name, password)
    if session is None:
        log.warning("failed login for %s from %s", _loggable(access, name), address)
        return LoginOutcome()
    throttle.succeeded(address, account, started)
    token, expires = session
    log.info("%s logged in from %s", name, address)
    return LoginOutcome(token=token, expires_at=expires, role=access.user(name).role)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require_role(*ROLES))],
    responses={
        400: {"description": "The credential is an API token, not a session"},
        401: {"description": "No credential, or an unknown, expired or revoked one"},
    },
)
def logout(principal: PrincipalDep, credentials: BearerDep, access: AccessDep) -> Response:
    """End this session now; the token stops working at once."""
    if principal.kind != "user":
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail=f"{principal.name!r} is an API token, not a session; an admin revokes it "
            "with DELETE /api/tokens/{name} or `signage token revoke --name NAME`",
        )
    access.logout(credentials.credentials)
    log.info("%s logged out", principal.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
