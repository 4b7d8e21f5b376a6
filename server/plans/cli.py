"""The plans commands of `posbon`: ``plans import FILE`` (server/import_cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from server.import_cli import add_import_command, run_import
from server.plans.imports import import_plans
from server.settings import Settings

COMMANDS = frozenset({"plans"})


def add_commands(commands: Any) -> None:
    add_import_command(commands, "plans")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    return await run_import(settings, args, import_plans)
