"""People and API tokens, for admins. Secrets go out once (a new token) and hashes never."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from signage.api.deps import AccessDep, PrincipalDep, RecordsDep, require_role
from signage.services import people
from signage.store.access import MIN_PASSWORD_CHARS, TokenInfo, UserInfo

router = APIRouter(prefix="/api", tags=["people"], dependencies=[Depends(require_role("admin"))])

Role = Literal["editor", "approver", "technician", "admin"]
NAME = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$",
             description="1-64 letters, digits, '.', '@', '_' or '-'")


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = NAME
    role: Role
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=1024)


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = NAME
    role: Role


PENDING = Field(description="Made by an admin and not yet confirmed by a different admin: "
                "it can do nothing until then")


class User(BaseModel):
    name: str
    role: Role
    created_at: str
    disabled: bool
    pending: bool = PENDING

    @classmethod
    def of(cls, info: UserInfo) -> "User":
        return cls(name=info.name, role=info.role, created_at=info.created_at,
                   disabled=info.disabled, pending=info.pending)


class Token(BaseModel):
    name: str
    role: Role
    created_at: str
    last_used_at: str | None
    revoked: bool
    pending: bool = PENDING

    @classmethod
    def of(cls, info: TokenInfo) -> "Token":
        return cls(name=info.name, role=info.role, created_at=info.created_at,
                   last_used_at=info.last_used_at, revoked=info.revoked, pending=info.pending)


class CreatedToken(BaseModel):
    name: str
    role: Role
    token: str = Field(description="The secret; shown this once, only its hash is kept")
    pending: bool = PENDING


class Users(BaseModel):
    users: list[User]


class Tokens(BaseModel):
    tokens: list[Token]


_EXISTS = {400: {"description": "The body is not readable JSON"},
           409: {"description": "The name is taken"}}
_MISSING = {404: {"description": "No such name (or already disabled/revoked)"}}
_CONFIRM = {403: {"description": "The caller made it: a different admin must confirm"},
            404: {"description": "No such name"},
            409: {"description": "It is not waiting for confirmation"}}


@router.get("/users")
def list_users(access: AccessDep) -> Users:
    """Every person, disabled ones too; never a password hash."""
    return Users(users=[User.of(info) for info in access.users()])


@router.post("/users", status_code=status.HTTP_201_CREATED, responses=_EXISTS)
def create_user(body: NewUser, access: AccessDep, records: RecordsDep,
                admin: PrincipalDep) -> User:
    """Add a person who logs in with this password (at least 12 characters). They can do
    nothing until a different admin confirms them (POST /api/users/{name}/confirm)."""
    return User.of(people.create_user(access, records, admin, body.name, body.role,
                                      body.password))


@router.delete("/users/{name}", responses=_MISSING)
def disable_user(name: str, access: AccessDep, records: RecordsDep,
                 admin: PrincipalDep) -> User:
    """Stop a person logging in and end their sessions now; the record stays for audit."""
    return User.of(people.disable_user(access, records, admin, name))


@router.get("/tokens")
def list_tokens(access: AccessDep) -> Tokens:
    """Every API token with its last use; never the secret or its hash."""
    return Tokens(tokens=[Token.of(info) for info in access.tokens()])


@router.post("/tokens", status_code=status.HTTP_201_CREATED, responses=_EXISTS)
def create_token(body: NewToken, access: AccessDep, records: RecordsDep,
                 admin: PrincipalDep) -> CreatedToken:
    """Make an API token for a script; the answer is the only time the secret is shown. It
    does nothing until a different admin confirms it (POST /api/tokens/{name}/confirm)."""
    secret = people.create_token(access, records, admin, body.name, body.role)
    return CreatedToken(name=body.name, role=body.role, token=secret, pending=True)


@router.delete("/tokens/{name}", responses=_MISSING)
def revoke_token(name: str, access: AccessDep, records: RecordsDep,
                 admin: PrincipalDep) -> Token:
    """Stop a token working now; it stays listed as revoked."""
    return Token.of(people.revoke_token(access, records, admin, name))


@router.post("/users/{name}/confirm", responses=_CONFIRM)
def confirm_user(name: str, access: AccessDep, records: RecordsDep,
                 admin: PrincipalDep) -> User:
    """Let a person another admin made start working (separation of duties)."""
    return User.of(people.confirm(access, records, admin, "user", name))


@router.post("/tokens/{name}/confirm", responses=_CONFIRM)
def confirm_token(name: str, access: AccessDep, records: RecordsDep,
                  admin: PrincipalDep) -> Token:
    """Let a token another admin made start working (separation of duties)."""
    return Token.of(people.confirm(access, records, admin, "token", name))
