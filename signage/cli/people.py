"""`signage user`: make, list and disable the people who log in to the admin API.

There is no default password: the first admin is made here. The password is never an
argument (it would sit in the shell history and in `ps`): it is asked for twice on a
terminal, or read as one line from stdin when piped (for provisioning scripts).
"""

from __future__ import annotations

import getpass
import sys
from typing import Callable, TextIO

from signage.errors import SignageError
from signage.settings import Settings
from signage.store.access import MIN_PASSWORD_CHARS, ROLES


def read_password(stdin: TextIO | None = None,
                  prompt: Callable[[str], str] | None = None) -> str:
    """The new password: typed twice at a terminal, or the first line of piped stdin."""
    stdin = stdin or sys.stdin
    prompt = prompt or getpass.getpass
    if not stdin.isatty():
        password = stdin.readline().rstrip("\r\n")
    else:
        password = prompt("password: ")
        if prompt("again: ") != password:
            raise SignageError("the two passwords differ; run the command again")
    if len(password) < MIN_PASSWORD_CHARS:
        raise SignageError(f"the password must have at least {MIN_PASSWORD_CHARS} characters; "
                           "a passphrase of a few words is easiest to type")
    return password


def cmd_user(args) -> int:
    from signage.store import Store

    store = Store(Settings.from_env().data_dir)
    access = store.access
    try:
        if args.user_command == "create":
            info = access.create_user(args.name, args.role, read_password())
            print(f"user {info.name!r} ({info.role}) made; they log in with POST /api/login",
                  file=sys.stderr)
        elif args.user_command == "disable":
            access.disable_user(args.name)
            print(f"user {args.name!r} disabled; their sessions have ended")
        else:
            _list_users(access)
    finally:
        store.close()
    return 0


def _list_users(access) -> None:
    users = access.users()
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
