"""`posbon evidence …`: evidence management from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from server.settings import Settings

COMMANDS = frozenset({"evidence"})


def add_commands(commands: Any) -> None:
    evidence = commands.add_parser("evidence", help="evidence retention, packages and checks")
    actions = evidence.add_subparsers(dest="action", required=True)
    del actions


async def run(args: argparse.Namespace, settings: Settings) -> int:
    raise SystemExit(f"posbon evidence: unknown action {args.action!r}")
