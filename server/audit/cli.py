"""`posbon audit verify`: walk the whole audit chain and say whether it holds."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm

from server.audit import repository, verify
from server.db import open_database
from server.settings import Settings
from server.settings_flags import DATABASE, add_arguments

COMMANDS = frozenset({"audit"})


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the audit log")
    actions = audit.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "verify", help="check that no audit entry was edited, removed or reordered"
    )
    add_arguments(check, DATABASE)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action != "verify":
        raise SystemExit(f"posbon audit: unknown action {args.action!r}")
    db = await open_database(settings)
    try:
        head = await repository.head(db)
        # A bar on a terminal only (disable=None); a script reads the one line below.
        with tqdm(
            total=head.entries, unit="entry", desc="verifying", file=sys.stderr, disable=None
        ) as bar:
            result = await verify.check(db, bar.update)
    finally:
        await db.close()
    if not result.intact:
        print(f"posbon audit verify: {result.problem}", file=sys.stderr)
        return 1
    print(f"{result.entries} entries, chain holds")
    return 0
