"""Who may use the API: people with passwords, their short-lived sessions, API tokens.

A repository over the Database. Secrets are
kept only as hashes: passwords with scrypt (memory-hard, so a stolen database is slow to
attack), session and API tokens with SHA-256 (they are 256 random bits: nothing to guess).
Every comparison of secrets is constant-time.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import sqlite3
from typing import Iterator

from signage.clock import utc_text
from signage.errors import StoreError
from signage.store.database import Database

ROLES = ("editor", "approver", "technician", "admin")
TOKEN_PREFIX = "sgn_"  # API tokens for scripts
SESSION_PREFIX = "sgs_"  # what a person gets for logging in
SESSION_LIFETIME = dt.timedelta(hours=1)
MIN_PASSWORD_CHARS = 12
# scrypt at n=2**14, r=8 uses 16 MiB and ~50 ms per check: slow for an attacker with a
# stolen database, still fine for a login now and then on a small box.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}
_NAME = re.compile(r"^[\w.@-]{1,64}$")


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is calling: a person (logged in) or an API token, with one role."""

    name: str
    role: str
    kind: str  # "user" | "token"
    # Made by an admin over the API and not yet confirmed by a second one: may do nothing.
    pending: bool = False

    @property
    def maker_id(self) -> str:
        """How this caller is named as the maker of a credential: 'user:NAME', 'token:NAME'."""
        return f"{self.kind}:{self.name}"


@dataclasses.dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: str
    last_used_at: str | None
    revoked: bool
    pending: bool = False


@dataclasses.dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    created_at: str
    disabled: bool
    pending: bool = False


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)
    encode = base64.b64encode
    return (f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}$"
            f"{encode(salt).decode()}${encode(digest).decode()}")


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                                r=int(r), p=int(p), dklen=len(expected),
                                maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


# A hash of a random password: checking an unknown user's login costs the same as a real
# one, so response times do not tell which names exist.
_DECOY_HASH = hash_password(secrets.token_urlsafe(16))


def check_role(role: str) -> None:
    if role not in ROLES:
        raise StoreError(f"role {role!r} is unknown; choose one of {', '.join(ROLES)}")


def check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise StoreError(f"a {what} needs a name of 1-64 letters, digits, '.', '@', '_' or '-'")


class Access:
    """Users, sessions and API tokens."""

    def __init__(self, database: Database):
        self.database = database
        # Token id -> when it was last used, not yet written: checking a credential never
        # writes (a full or read-only disk must not turn every request into a 500);
        # flush_last_used() writes them off the request path.
        self._last_used: dict[int, str] = {}
        self._last_used_lock = threading.Lock()

    # --- people -----------------------------------------------------------------------

    def create_user(self, name: str, role: str, password: str,
                    created_by: str | None = None) -> UserInfo:
        """A person; `created_by` (an admin's maker_id) leaves them pending until confirmed."""
        check_name(name, "user")
        check_role(role)
        if len(password) < MIN_PASSWORD_CHARS:
            raise StoreError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
        with self.database.write() as db:
            try:
                db.execute("INSERT INTO users (name, role, password_hash, created_at, created_by) "
                           "VALUES (?, ?, ?, ?, ?)", (name, role, hash_password(password),
                                                      self.database.stamp(), created_by))
            except sqlite3.IntegrityError:
                raise StoreError(f"a user named {name!r} exists; pick another name") from None
        return self.user(name)

    def user(self, name: str) -> UserInfo:
        rows = self.database.query("SELECT * FROM users WHERE name = ?", (name,))
        if not rows:
            raise StoreError(f"no user is named {name!r}")
        return _user(rows[0])

    def has_user(self, name: str) -> bool:
        return bool(self.database.query("SELECT 1 FROM users WHERE name = ?", (name,)))

    def users(self) -> list[UserInfo]:
        return [_user(row) for row in self.database.query("SELECT * FROM users ORDER BY name")]

    def disable_user(self, name: str) -> None:
        """Stop a person logging in, and end their sessions now."""
        with self.database.write() as db:
            cursor = db.execute("UPDATE users SET disabled_at = ? WHERE name = ? AND "
                                "disabled_at IS NULL", (self.database.stamp(), name))
            if cursor.rowcount == 0:
                raise StoreError(f"no active user is named {name!r}")
            db.execute("UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = "
                       "(SELECT id FROM users WHERE name = ?)", (self.database.stamp(), name))

    def login(self, name: str, password: str) -> tuple[str, dt.datetime] | None:
        """A new session token and its expiry for the right password, else None."""
        rows = self.database.query("SELECT * FROM users WHERE name = ? AND disabled_at IS NULL", (name,))
        stored = rows[0]["password_hash"] if rows else _DECOY_HASH
        if not check_password(password, stored) or not rows:
            return None
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        expires = self.database.clock.now() + SESSION_LIFETIME
        with self.database.write() as db:
            db.execute("INSERT INTO sessions (user_id, hash, created_at, expires_at) VALUES "
                       "(?, ?, ?, ?)", (rows[0]["id"], _hash_token(token), self.database.stamp(),
                                        utc_text(expires)))
        return token, expires

    def logout(self, token: str) -> None:
        with self.database.write() as db:
            db.execute("UPDATE sessions SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
                       (self.database.stamp(), _hash_token(token)))

    # --- API tokens -------------------------------------------------------------------

    def create_token(self, name: str, role: str, created_by: str | None = None) -> str:
        """Make an API token; the plain text is returned once and only its hash is kept.
        `created_by` (an admin's maker_id) leaves it pending until confirmed."""
        check_role(role)
        check_name(name, "token")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.database.write() as db:
            try:
                db.execute("INSERT INTO tokens (name, role, hash, created_at, created_by) VALUES "
                           "(?, ?, ?, ?, ?)", (name, role, _hash_token(token),
                                               self.database.stamp(), created_by))
            except sqlite3.IntegrityError:  # in the transaction: a busy database is not this
                raise StoreError(f"a token named {name!r} exists; pick another name or "
                                 "revoke it") from None
        return token

    def verify_token(self, token: str) -> TokenInfo | None:
        """The live API token matching `token`, or None. Records when it was last used."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = _hash_token(token)
        rows = self.database.query("SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL", (digest,))
        if not rows or not hmac.compare_digest(rows[0]["hash"], digest):
            return None
        row = rows[0]
        stamp = self.database.stamp()
        # Written later, at most once a minute per token: the SD card need not log every
        # request, and a disk that cannot be written must not refuse the caller.
        if (row["last_used_at"] or "")[:16] != stamp[:16]:
            with self._last_used_lock:
                self._last_used[row["id"]] = stamp
        return TokenInfo(row["name"], row["role"], row["created_at"], stamp, False, _pending(row))

    def flush_last_used(self) -> int:
        """Write the last-used times noted since the last flush; how many. Best effort:
        on a StoreError they stay noted for the next flush, and the error is raised."""
        with self._last_used_lock:
            pending, self._last_used = self._last_used, {}
        if not pending:
            return 0
        try:
            with self.database.write() as db:
                db.executemany("UPDATE tokens SET last_used_at = max(coalesce(last_used_at, ''), ?) "
                               "WHERE id = ?", [(stamp, id_) for id_, stamp in pending.items()])
        except StoreError:
            with self._last_used_lock:
                self._last_used = {**pending, **self._last_used}
            raise
        return len(pending)

    def verify_credential(self, credential: str) -> Principal | None:
        """Who a bearer credential (session or API token) belongs to, or None."""
        if credential.startswith(TOKEN_PREFIX):
            info = self.verify_token(credential)
            return Principal(info.name, info.role, "token", info.pending) if info else None
        if not credential.startswith(SESSION_PREFIX):
            return None
        digest = _hash_token(credential)
        rows = self.database.query(
            "SELECT s.hash, u.name, u.role, u.created_by, u.confirmed_by FROM sessions s "
            "JOIN users u ON u.id = s.user_id "
            "WHERE s.hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled_at IS NULL",
            (digest, utc_text(self.database.clock.now())),
        )
        if not rows or not hmac.compare_digest(rows[0]["hash"], digest):
            return None
        return Principal(rows[0]["name"], rows[0]["role"], "user", _pending(rows[0]))

    # --- confirmation by a second admin ---------------------------------------------------

    def maker(self, table: str, name: str) -> tuple[str | None, bool]:
        """(who made the user or token `name`, whether it is still pending)."""
        rows = self.database.query(f"SELECT created_by, confirmed_by FROM {_table(table)} "
                                   "WHERE name = ?", (name,))
        if not rows:
            raise StoreError(f"no {table} is named {name!r}")
        return rows[0]["created_by"], _pending(rows[0])

    def confirm(self, table: str, name: str, confirmed_by: str) -> None:
        """Mark a pending user or token confirmed by `confirmed_by` (a maker_id)."""
        with self.database.write() as db:
            cursor = db.execute(
                f"UPDATE {_table(table)} SET confirmed_by = ?, confirmed_at = ? WHERE name = ? "
                "AND created_by IS NOT NULL AND confirmed_by IS NULL AND created_by != ?",
                (confirmed_by, self.database.stamp(), name, confirmed_by))
            if cursor.rowcount == 0:
                raise StoreError(f"the {table} {name!r} is not waiting for confirmation")

    def revoke_token(self, name: str) -> None:
        with self.database.write() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (self.database.stamp(), name),
            )
            if cursor.rowcount == 0:
                raise StoreError(f"no live token is named {name!r}")

    def tokens(self) -> Iterator[TokenInfo]:
        with self._last_used_lock:
            pending = dict(self._last_used)
        for row in self.database.query("SELECT * FROM tokens ORDER BY id"):
            used = max(row["last_used_at"] or "", pending.get(row["id"], "")) or None
            yield TokenInfo(row["name"], row["role"], row["created_at"], used,
                            row["revoked_at"] is not None, _pending(row))


def _user(row: sqlite3.Row) -> UserInfo:
    return UserInfo(row["name"], row["role"], row["created_at"], row["disabled_at"] is not None,
                    _pending(row))


def _pending(row: sqlite3.Row) -> bool:
    return row["created_by"] is not None and row["confirmed_by"] is None


def _table(kind: str) -> str:
    """The table for 'user' or 'token' (never a caller's text in SQL)."""
    return {"user": "users", "token": "tokens"}[kind]
