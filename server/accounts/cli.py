"""The `posbon user` commands: accounts for people, managed on the operator's own terminal.

``user create`` reads the password twice (or once from stdin with --password-stdin) and, for a
role that signs in with a code (--totp-required-roles), prints the otpauth:// URI and the secret
this one time: add it to the person's authenticator app now. ``user disable`` also ends the
account's sessions (their sockets close within a second on every node)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from server.accounts import service
from server.accounts.schemas import Account
from server.auth.schemas import Role, Scope
from server.db import Database, open_database
from server.settings import Settings
from server.settings_flags import DATABASE, add_arguments

COMMANDS = frozenset({"user"})
PEOPLE_ROLES = (Role.ADMIN, Role.DISPATCHER)
ACCOUNT_SETTINGS = (*DATABASE, "totp_required_roles")


def add_commands(commands: Any) -> None:
    user = commands.add_parser("user", help="manage people's accounts (sign-in to the web page)")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an account; prints its TOTP secret once")
    create.add_argument("--username", required=True, help="sign-in name (case-insensitive)")
    create.add_argument("--role", required=True, choices=[role.value for role in PEOPLE_ROLES])
    create.add_argument("--name", default="", help="the name the page shows (default: username)")
    create.add_argument(
        "--district",
        action="append",
        default=None,
        help="limit the account to this district (repeat for several; default: all)",
    )
    _password_source(create)
    add_arguments(create, ACCOUNT_SETTINGS)
    listing = actions.add_parser("list", help="list the accounts")
    add_arguments(listing, DATABASE)
    for name, text in (
        ("disable", "disable an account and end its sessions"),
        ("reset-totp", "give an account a new TOTP secret (printed once)"),
        ("set-password", "set an account's password (and lift its lock)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("username")
        if name == "set-password":
            _password_source(action)
        add_arguments(action, ACCOUNT_SETTINGS)


def _password_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (for scripts), not the terminal",
    )


def read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


async def run(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password(args) if args.action in {"create", "set-password"} else ""
    db = await open_database(settings)
    try:
        return await _run(db, args, settings, password)
    finally:
        await db.close()


async def _run(db: Database, args: argparse.Namespace, settings: Settings, password: str) -> int:
    match args.action:
        case "create":
            scope = Scope(districts=frozenset(args.district)) if args.district else None
            created = await service.create_user(
                db,
                settings,
                username=args.username,
                password=password,
                role=Role(args.role),
                display_name=args.name,
                scope=scope,
            )
            account = created.account
            print(f"user {account.username} created (id {account.id}, role {account.role})")
            _print_secret(created)
        case "list":
            for account in await service.list_users(db):
                print(_line(account))
        case "disable":
            ended = await service.disable_user(db, args.username)
            print(f"user {args.username.strip().lower()} disabled; {len(ended)} sessions ended")
        case "reset-totp":
            _print_secret(await service.reset_totp(db, args.username))
        case "set-password":
            await service.set_password(db, args.username, password)
            print(f"password of {args.username.strip().lower()} set")
    return 0


def _print_secret(user: service.NewSecret) -> None:
    if user.totp_secret is None:
        return
    print("Add this to the person's authenticator app now; it is not shown again:")
    print(f"otpauth URI: {user.totp_uri}")
    print(f"secret: {user.totp_secret}")


def _line(account: Account) -> str:
    districts = ",".join(sorted(account.scope.districts or ())) or "all districts"
    state = "disabled" if account.disabled else "active"
    code = "TOTP" if account.totp_required else "no code"
    return (
        f"{account.id}\t{account.username}\t{account.role.value}\t{account.source.value}\t"
        f"{state}\t{code}\t{districts}\t{account.display_name}"
    )
