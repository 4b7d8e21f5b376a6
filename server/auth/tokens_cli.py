"""`posbon token list` and `posbon token revoke`, beside the create command of server/auth/cli.py.

`revoke` runs in its own process, so the nodes would learn of it only from their once-a-second
database check (server/auth/service.py). With a cluster bus configured (--bus-url, as the nodes
have it) it also rings the `token-revoked:<id>` doorbell after its commit, so every node forgets
the token and closes its sockets in the time the message takes.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Final

from server.audit.log import cli_actor
from server.auth.schemas import TokenKind, TokenOut
from server.auth.service import list_tokens, revoke_token
from server.auth.token_table import token_table
from server.db import Database
from server.relay.redis_bus import make_bus
from server.settings import Settings
from server.settings_flags import DATABASE, add_arguments

PAGE: Final = 1000
YES_NO: Final = {"true": True, "false": False}


def add_list_command(token_commands: Any) -> None:
    listing = token_commands.add_parser(
        "list", help="print the tokens (never their secrets) with when each was last used"
    )
    listing.add_argument("--kind", choices=[kind.value for kind in TokenKind], default=None)
    listing.add_argument(
        "--revoked", choices=sorted(YES_NO), default=None, help="only revoked (true) or live"
    )
    add_arguments(listing, DATABASE)


def add_revoke_command(token_commands: Any) -> None:
    revoke = token_commands.add_parser(
        "revoke", help="revoke a token (posbon token list shows the ids); its sockets close"
    )
    revoke.add_argument("id", type=int, help="the token's id")
    add_arguments(revoke, (*DATABASE, "bus_url"))


async def print_list(db: Database, args: argparse.Namespace) -> int:
    kind = None if args.kind is None else TokenKind(args.kind)
    revoked = None if args.revoked is None else YES_NO[args.revoked]
    tokens: list[TokenOut] = []
    while page := await list_tokens(db, PAGE, len(tokens), kind=kind, revoked=revoked):
        tokens += page
    print(token_table(tokens))
    return 0


async def revoke(db: Database, settings: Settings, token_id: int) -> int:
    async with _ringing(db, settings.bus_url):
        await revoke_token(db, token_id, actor=cli_actor())
    print(f"token {token_id} revoked")
    return 0


@contextlib.asynccontextmanager
async def _ringing(db: Database, bus_url: str) -> AsyncIterator[None]:
    """Commits in the block ring the cluster bus; leaving it waits until the rings are sent."""
    if not bus_url:
        yield  # an in-process bus would reach no one
        return
    bus = make_bus(bus_url)
    await bus.start()
    db.commit_hooks.append(bus.ring)
    try:
        yield
    finally:
        db.commit_hooks.remove(bus.ring)
        await bus.close()
