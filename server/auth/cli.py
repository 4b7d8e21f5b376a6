"""The token commands of `posbon`: ``token create`` prints a new bearer token, the only time its
secret is shown, on the operator's own terminal; ``token revoke`` revokes one (its sockets close
within a second on every node: server/sockets/revocation.py)."""

from __future__ import annotations

import argparse
from typing import Any

from server.auth.schemas import Role
from server.auth.service import create_token, revoke_token
from server.db import open_database
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
    add_arguments(create, DATABASE)
    revoke = token_commands.add_parser(
        "revoke", help="revoke a token (GET /api/v1/tokens lists them); its sockets close"
    )
    revoke.add_argument("id", type=int, help="the token's id")
    add_arguments(revoke, DATABASE)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    db = await open_database(settings)
    try:
        if args.action == "revoke":
            await revoke_token(db, args.id)
            print(f"token {args.id} revoked")
            return 0
        issued = await create_token(db, args.name, Role(args.role), args.crew)
    finally:
        await db.close()
    print(issued.token)
    return 0
