"""People and API tokens: make, disable, revoke. Secrets go out once; hashes never.

Admins do this over the API; whoever has the box's console does it with `signage user` and
`signage token`. Both go through here, so both are audited the same way.
"""

from __future__ import annotations

import logging

from signage.errors import StoreError
from signage.services.errors import Conflict, Invalid, NotFound
from signage.store.access import MIN_PASSWORD_CHARS, Principal, UserInfo

log = logging.getLogger(__name__)


def create_user(store, actor: Principal, name: str, role: str, password: str) -> UserInfo:
    """A person who logs in with this password; Invalid for a short password, Conflict if
    the name is taken."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid.field("password", "password_too_short", (
            f"must have at least {MIN_PASSWORD_CHARS} characters; a passphrase of a few words "
            "is easiest to type"), min=MIN_PASSWORD_CHARS)
    try:
        info = store.create_user(name, role, password)
    except StoreError as exc:
        raise Conflict("name_taken", str(exc), name=name) from None
    store.audit(actor.name, actor.role, "user.create", target=info.name, detail={"role": info.role})
    log.info("user %s (%s) created by %s", info.name, info.role, actor.name)
    return info


def disable_user(store, actor: Principal, name: str) -> UserInfo:
    """Stop a person logging in and end their sessions now; the record stays for audit."""
    try:
        store.disable_user(name)
    except StoreError as exc:
        raise NotFound("user_not_found", str(exc), name=name) from None
    store.audit(actor.name, actor.role, "user.disable", target=name)
    log.info("user %s disabled by %s", name, actor.name)
    return store.user(name)


def create_token(store, actor: Principal, name: str, role: str) -> str:
    """A new API token's secret, shown this once; only its hash is kept."""
    try:
        secret = store.create_token(name, role)
    except StoreError as exc:
        raise Conflict("name_taken", str(exc), name=name) from None
    store.audit(actor.name, actor.role, "token.create", target=name, detail={"role": role})
    log.info("token %s (%s) created by %s", name, role, actor.name)
    return secret


def revoke_token(store, actor: Principal, name: str):
    """Stop a token working now; it stays listed as revoked. Returns its TokenInfo."""
    try:
        store.revoke_token(name)
    except StoreError as exc:
        raise NotFound("token_not_found", str(exc), name=name) from None
    store.audit(actor.name, actor.role, "token.revoke", target=name)
    log.info("token %s revoked by %s", name, actor.name)
    return next(info for info in store.tokens() if info.name == name)
