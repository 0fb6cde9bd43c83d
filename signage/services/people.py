"""People and API tokens: make, confirm, disable, revoke. Secrets go out once; hashes never.

Admins do this over the API; whoever has the box's console does it with `signage user` and
`signage token`. Both go through here, so both are audited the same way.

Separation of duties: a credential an admin makes over the API is pending, and can do
nothing at all (not even read), until a *different* admin confirms it. So one stolen admin
credential cannot mint an editor and an approver and publish through them: it needs a
second admin, and admins it mints itself are pending too. Any role waits, technicians as
well (they can blank the wall). The box's console (`signage user/token create`) stays a
trusted path: whoever has a shell on the box owns its database anyway.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator

from signage.errors import StoreError, StoreUnavailable
from signage.services.errors import Conflict, Forbidden, Invalid, NotFound, Refused
from signage.store.access import (MIN_PASSWORD_CHARS, ROLES, Access, Principal, UserInfo,
                                  check_name, check_role)
from signage.store.records import Records

log = logging.getLogger(__name__)


def create_user(access: Access, records: Records, actor: Principal, name: str, role: str,
                password: str) -> UserInfo:
    """A person who logs in with this password; Invalid for a short password, Conflict if
    the name is taken."""
    _check_new(name, role)
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid.field("password", "password_too_short", (
            f"must have at least {MIN_PASSWORD_CHARS} characters; a passphrase of a few words "
            "is easiest to type"), min=MIN_PASSWORD_CHARS)
    with _refused_as(Conflict, "name_taken", name=name):
        info = access.create_user(name, role, password, created_by=_maker(actor))
    records.audit(actor.name, actor.role, "user.create", target=info.name,
                  detail={"role": info.role, "pending": info.pending})
    log.info("user %s (%s) created by %s", info.name, info.role, actor.name)
    return info


def disable_user(access: Access, records: Records, actor: Principal, name: str) -> UserInfo:
    """Stop a person logging in and end their sessions now; the record stays for audit."""
    with _refused_as(NotFound, "user_not_found", name=name):
        access.disable_user(name)
    records.audit(actor.name, actor.role, "user.disable", target=name)
    log.info("user %s disabled by %s", name, actor.name)
    return access.user(name)


def create_token(access: Access, records: Records, actor: Principal, name: str,
                 role: str) -> str:
    """A new API token's secret, shown this once; only its hash is kept."""
    _check_new(name, role)
    with _refused_as(Conflict, "name_taken", name=name):
        secret = access.create_token(name, role, created_by=_maker(actor))
    records.audit(actor.name, actor.role, "token.create", target=name,
                  detail={"role": role, "pending": _maker(actor) is not None})
    log.info("token %s (%s) created by %s", name, role, actor.name)
    return secret


def revoke_token(access: Access, records: Records, actor: Principal, name: str):
    """Stop a token working now; it stays listed as revoked. Returns its TokenInfo."""
    with _refused_as(NotFound, "token_not_found", name=name):
        access.revoke_token(name)
    records.audit(actor.name, actor.role, "token.revoke", target=name)
    log.info("token %s revoked by %s", name, actor.name)
    return next(info for info in access.tokens() if info.name == name)


def confirm(access: Access, records: Records, actor: Principal, kind: str, name: str):
    """A second admin lets a pending user or token (kind 'user' or 'token') work. Forbidden
    for the admin who made it; Conflict if it is not waiting. Returns its UserInfo/TokenInfo."""
    try:
        maker, pending = access.maker(kind, name)
    except StoreUnavailable:  # a busy or broken database is not a refusal
        raise
    except StoreError as exc:
        raise NotFound(f"{kind}_not_found", str(exc), name=name) from None
    if not pending:
        raise Conflict("not_pending", f"the {kind} {name!r} is not waiting for confirmation",
                       name=name)
    if maker == actor.maker_id:
        raise Forbidden("same_admin", (
            f"the {kind} {name!r} was made by {actor.name!r}; a different admin must confirm "
            "it, so that no single admin credential can hand out power alone"), name=name)
    access.confirm(kind, name, actor.maker_id)
    records.audit(actor.name, actor.role, f"{kind}.confirm", target=name,
                  detail={"made_by": maker})
    log.info("%s %s (made by %s) confirmed by %s", kind, name, maker, actor.name)
    if kind == "user":
        return access.user(name)
    return next(info for info in access.tokens() if info.name == name)


@contextlib.contextmanager
def _refused_as(refusal: type[Refused], code: str, **params) -> Iterator[None]:
    """The store's own refusal (a plain StoreError) as `refusal`; a busy or broken
    database (StoreUnavailable) is not a refusal and goes on as it is."""
    try:
        yield
    except StoreUnavailable:
        raise
    except StoreError as exc:
        raise refusal(code, str(exc), **params) from None


def _maker(actor: Principal) -> str | None:
    """Who a new credential waits on: none from the box's console (trusted), else the admin."""
    return None if actor.kind == "console" else actor.maker_id


def _check_new(name: str, role: str) -> None:
    """Invalid naming the field for a name or role the store would refuse (the store's
    rules, said before it is asked, so a bad name is not reported as a taken one)."""
    try:
        check_name(name, "user")
    except StoreError:
        raise Invalid.field("name", "credential_name_form", (
            "needs 1-64 letters, digits, '.', '@', '_' or '-'"), value=name[:64]) from None
    try:
        check_role(role)
    except StoreError:
        raise Invalid.field("role", "literal_error", f"must be one of {', '.join(ROLES)}",
                            expected=", ".join(ROLES)) from None
