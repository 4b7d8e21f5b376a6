"""The contacts commands of `posbon`: ``contacts import FILE`` (server/import_cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from server.contacts.imports import import_contacts
from server.import_cli import add_import_command, run_import
from server.settings import Settings

COMMANDS = frozenset({"contacts"})


def add_commands(commands: Any) -> None:
    add_import_command(commands, "contacts")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    return await run_import(settings, args, import_contacts)
