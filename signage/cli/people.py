"""`signage user` and `signage token`: the people who log in to the admin API, and tokens
for scripts. Both go through services.people, audited as `console:<login>`.

There is no default password: the first admin is made here. The password is never an
argument (it would sit in the shell history and in `ps`): it is asked for twice on a
terminal, or read as one line from stdin when piped (for provisioning scripts).
"""

from __future__ import annotations

import getpass
import sys
from typing import Callable, TextIO

from signage.cli.actor import console_actor
from signage.cli.stores import open_existing_store
from signage.errors import SignageError
from signage.services import people
from signage.settings import Settings
from signage.store.access import ROLES


def read_password(stdin: TextIO | None = None,
                  prompt: Callable[[str], str] | None = None) -> str:
    """The new password: typed twice at a terminal, or the first line of piped stdin.
    Its length is checked where every new password is (services.people)."""
    stdin = stdin or sys.stdin
    prompt = prompt or getpass.getpass
    if not stdin.isatty():
        password = stdin.readline().rstrip("\r\n")
    else:
        password = prompt("password: ")
        if prompt("again: ") != password:
            raise SignageError("the two passwords differ; run the command again")
    return password


def cmd_user(args) -> int:
    actions = {"create": _create_user, "disable": _disable_user, "list": _list_users}
    return _run(actions[args.user_command], args)


def cmd_token(args) -> int:
    actions = {"create": _create_token, "revoke": _revoke_token, "list": _list_tokens}
    return _run(actions[args.token_command], args)


def _run(action: Callable, args) -> int:
    store = open_existing_store()
    try:
        action(store, args)
    finally:
        store.close()
    return 0


def _create_user(store, args) -> None:
    info = people.create_user(store.access, store.records, console_actor(), args.name,
                              args.role, read_password())
    print(f"user {info.name!r} ({info.role}) made; they log in with POST /api/login",
          file=sys.stderr)


def _disable_user(store, args) -> None:
    people.disable_user(store.access, store.records, console_actor(), args.name)
    print(f"user {args.name!r} disabled; their sessions have ended")


def _create_token(store, args) -> None:
    print(people.create_token(store.access, store.records, console_actor(), args.name,
                              args.role))
    print(f"token {args.name!r} ({args.role}) made; this is the only time it is shown",
          file=sys.stderr)


def _revoke_token(store, args) -> None:
    people.revoke_token(store.access, store.records, console_actor(), args.name)
    print(f"token {args.name!r} revoked")


def _list_tokens(store, _args=None) -> None:
    tokens = list(store.access.tokens())
    if not tokens:
        print("no tokens; make one with: signage token create --role admin --name NAME",
              file=sys.stderr)
    for info in tokens:
        state = "revoked" if info.revoked else "live"
        print(f"{info.name}\t{info.role}\t{state}\tcreated {info.created_at}\t"
              f"last used {info.last_used_at or 'never'}")


def _list_users(store, _args=None) -> None:
    users = store.access.users()
    if not users:
        print("no users; make the first admin with: signage user create --role admin "
              "--name NAME", file=sys.stderr)
    for info in users:
        state = "disabled" if info.disabled else "active"
        print(f"{info.name}\t{info.role}\t{state}\tcreated {info.created_at}")


def add_parser(sub) -> None:
    user = sub.add_parser("user", help="make, list and disable people who log in to the API")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", help="add a person; the password is asked for (or read from stdin)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="their login name")
    disable = actions.add_parser("disable", help="stop a person logging in; ends their sessions")
    disable.add_argument("--name", required=True)
    actions.add_parser("list", help="list people and their roles (never a password)")
    user.set_defaults(func=cmd_user)

    token = sub.add_parser("token", help="make, list and revoke API tokens")
    actions = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a token; it is printed once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="who or what uses it")
    revoke = actions.add_parser("revoke", help="stop a token from working")
    revoke.add_argument("--name", required=True)
    actions.add_parser("list", help="list tokens (never their secrets)")
    token.set_defaults(func=cmd_token)
