"""The sync commands of `posbon`: ``sync compact`` runs the change-log compaction once."""

from __future__ import annotations

import argparse
from typing import Any

from server.db import open_database
from server.settings import Settings
from server.settings_flags import DATABASE, add_arguments
from server.sync.compaction import compact

COMMANDS = frozenset({"sync"})


def add_commands(commands: Any) -> None:
    group = commands.add_parser("sync", help="offline sync maintenance")
    actions = group.add_subparsers(dest="action", required=True)
    run = actions.add_parser(
        "compact",
        help="remove sync changes older than --sync-log-retention-s and print a summary",
    )
    add_arguments(run, (*DATABASE, "sync_log_retention_s"))


async def run(_: argparse.Namespace, settings: Settings) -> int:
    """``posbon sync compact``: one compaction run."""
    db = await open_database(settings)
    try:
        summary = await compact(db, settings.sync_log_retention_s)
    finally:
        await db.close()
    for cut in summary.cuts:
        print(f"{cut.scope}: removed {cut.removed} changes, horizon now {cut.cut + 1}")
    print(f"sync compact: {summary.describe()}")
    return 0
