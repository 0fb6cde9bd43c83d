"""People and API tokens, for admins. Secrets go out once (a new token) and hashes never."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from signage.api.deps import PrincipalDep, StoreDep, require_role
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


class User(BaseModel):
    name: str
    role: Role
    created_at: str
    disabled: bool

    @classmethod
    def of(cls, info: UserInfo) -> "User":
        return cls(name=info.name, role=info.role, created_at=info.created_at,
                   disabled=info.disabled)


class Token(BaseModel):
    name: str
    role: Role
    created_at: str
    last_used_at: str | None
    revoked: bool

    @classmethod
    def of(cls, info: TokenInfo) -> "Token":
        return cls(name=info.name, role=info.role, created_at=info.created_at,
                   last_used_at=info.last_used_at, revoked=info.revoked)


class CreatedToken(BaseModel):
    name: str
    role: Role
    token: str = Field(description="The secret; shown this once, only its hash is kept")


class Users(BaseModel):
    users: list[User]


class Tokens(BaseModel):
    tokens: list[Token]


_EXISTS = {400: {"description": "The body is not readable JSON"},
           409: {"description": "The name is taken"}}
_MISSING = {404: {"description": "No such name (or already disabled/revoked)"}}


@router.get("/users")
def list_users(store: StoreDep) -> Users:
    """Every person, disabled ones too; never a password hash."""
    return Users(users=[User.of(info) for info in store.users()])


@router.post("/users", status_code=status.HTTP_201_CREATED, responses=_EXISTS)
def create_user(body: NewUser, store: StoreDep, admin: PrincipalDep) -> User:
    """Add a person who logs in with this password (at least 12 characters)."""
    return User.of(people.create_user(store, admin, body.name, body.role, body.password))


@router.delete("/users/{name}", responses=_MISSING)
def disable_user(name: str, store: StoreDep, admin: PrincipalDep) -> User:
    """Stop a person logging in and end their sessions now; the record stays for audit."""
    return User.of(people.disable_user(store, admin, name))


@router.get("/tokens")
def list_tokens(store: StoreDep) -> Tokens:
    """Every API token with its last use; never the secret or its hash."""
    return Tokens(tokens=[Token.of(info) for info in store.tokens()])


@router.post("/tokens", status_code=status.HTTP_201_CREATED, responses=_EXISTS)
def create_token(body: NewToken, store: StoreDep, admin: PrincipalDep) -> CreatedToken:
    """Make an API token for a script; the answer is the only time the secret is shown."""
    secret = people.create_token(store, admin, body.name, body.role)
    return CreatedToken(name=body.name, role=body.role, token=secret)


@router.delete("/tokens/{name}", responses=_MISSING)
def revoke_token(name: str, store: StoreDep, admin: PrincipalDep) -> Token:
    """Stop a token working now; it stays listed as revoked."""
    return Token.of(people.revoke_token(store, admin, name))
