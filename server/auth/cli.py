"""The token commands of `posbon`: ``token create`` prints a new bearer token, the only time its
secret is shown, on the operator's own terminal, optionally scoped to districts, cameras or
watchlists (server/auth/scope.py); ``token revoke`` revokes one (its sockets close
within a second on every node: server/sockets/revocation.py) and ``token list`` lists them
(server/auth/tokens_cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from server.audit.log import cli_actor
from server.auth import tokens_cli
from server.auth.schemas import Role, Scope
from server.auth.service import create_token
from server.db import open_database
from server.errors import BadRequest
from server.settings import Settings
from server.settings_flags import DATABASE, add_arguments

COMMANDS = frozenset({"token"})


def add_commands(commands: Any) -> None:
    token = commands.add_parser("token", help="manage bearer tokens")
    token_commands = token.add_subparsers(dest="action", required=True)
    create = token_commands.add_parser("create", help="print a new bearer token")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", required=True, help="who or what holds it, e.g. tablet-7")
    create.add_argument("--crew", type=int, default=None, help="crew id (crew tokens only)")
    create.add_argument(
        "--district",
        action="append",
        default=None,
        help="only this district's sites and what happens at them (repeat for more)",
    )
    create.add_argument(
        "--camera",
        type=int,
        action="append",
        default=None,
        help="only recognition of this camera id (repeat for more): a reviewer",
    )
    create.add_argument(
        "--watchlist",
        type=int,
        action="append",
        default=None,
        help="only this watchlist id (repeat for more)",
    )
    add_arguments(create, DATABASE)
    tokens_cli.add_revoke_command(token_commands)
    tokens_cli.add_list_command(token_commands)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    db = await open_database(settings)
    try:
        if args.action == "revoke":
            return await tokens_cli.revoke(db, settings, args.id)
        if args.action == "list":
            return await tokens_cli.print_list(db, args)
        role = Role(args.role)
        issued = await create_token(
            db, args.name, role, args.crew, scope_from(args, role), actor=cli_actor()
        )
    finally:
        await db.close()
    print(issued.token)
    return 0


SCOPED_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER})
"""The roles a scope narrows: the others reach only their own things already (a crew its crew,
a station its uploads, a camera or a device what it sends)."""


def _frozen(values: list[Any] | None) -> frozenset[Any] | None:
    return None if values is None else frozenset(values)


def scope_from(args: argparse.Namespace, role: Role) -> Scope:
    """The scope `--district`, `--camera` and `--watchlist` give (none: the whole role)."""
    districts = None if args.district is None else [name.strip() for name in args.district]
    scope = Scope(
        districts=_frozen(districts),
        cameras=_frozen(args.camera),
        watchlists=_frozen(args.watchlist),
    )
    if not scope.unlimited and role not in SCOPED_ROLES:
        raise BadRequest(
            f"--district, --camera and --watchlist narrow admin and dispatcher tokens only "
            f"(this token's role is {role.value}).",
            code="scope_not_allowed",
        )
    if districts is not None and not all(districts):
        raise BadRequest("--district needs a district's name.", code="scope_not_allowed")
    return scope
