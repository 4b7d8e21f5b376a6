"""`posbon evidence …`: evidence management from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from server.evidence import custody_cli, package_cli, retention_cli
from server.settings import Settings

COMMANDS = frozenset({"evidence", "custody"})


def add_commands(commands: Any) -> None:
    custody_cli.add_custody(commands)
    evidence = commands.add_parser("evidence", help="evidence retention, packages and checks")
    actions = evidence.add_subparsers(dest="action", required=True)
    retention_cli.add(actions)
    package_cli.add_actions(actions)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "custody":
        return await custody_cli.run(args, settings)
    if args.action == "retention":
        print(await retention_cli.run(args, settings))
        return 0
    if args.action in package_cli.ACTIONS:
        return await package_cli.run(args, settings)
    raise SystemExit(f"posbon evidence: unknown action {args.action!r}")
