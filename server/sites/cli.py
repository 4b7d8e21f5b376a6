"""The sites commands of `posbon`: ``sites import FILE`` (server/import_cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from server.import_cli import add_import_command, run_import
from server.settings import Settings
from server.sites.imports import import_sites

COMMANDS = frozenset({"sites"})


def add_commands(commands: Any) -> None:
    add_import_command(commands, "sites")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    return await run_import(settings, args, import_sites)
