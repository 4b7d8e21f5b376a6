"""`posbon db upgrade` and `posbon db copy`: the schema on either engine, and the move from an
embedded SQLite deployment to PostgreSQL."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from tqdm import tqdm

from server.cluster.copy import CopyError, copy_database, count_rows
from server.db import open_database
from server.settings import Settings
from server.settings_flags import DATABASE, LOGS, add_arguments

COMMANDS = frozenset({"db"})


def add_commands(commands: Any) -> None:
    db = commands.add_parser("db", help="database schema and moves between engines")
    actions = db.add_subparsers(dest="action", required=True)
    upgrade = actions.add_parser("upgrade", help="apply every pending migration (both engines)")
    add_arguments(upgrade, DATABASE)
    copy = actions.add_parser(
        "copy", help="copy a SQLite deployment into an empty PostgreSQL database, verified"
    )
    copy.add_argument("--from", dest="source", required=True, type=Path, help="posbon.sqlite3")
    copy.add_argument("--to", dest="target", required=True, help="postgresql://…")
    add_arguments(copy, LOGS)  # both databases are named by --from and --to


def run(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int]:
    if args.action == "upgrade":
        return _upgrade(settings)
    return _copy(args.source, args.target)


async def _upgrade(settings: Settings) -> int:
    db = await open_database(settings)
    await db.close()
    engine = "PostgreSQL" if settings.uses_postgres else "SQLite"
    print(f"{engine} schema is up to date")
    return 0


async def _copy(source: Path, target: str) -> int:
    if not target.startswith(("postgresql://", "postgres://")):
        print("posbon: --to must be a postgresql:// URL", file=sys.stderr)
        return 2
    try:
        total = await count_rows(source)
        with tqdm(total=total, unit="row", desc="copying", file=sys.stderr) as bar:
            reports = await copy_database(source, target, bar.update)
    except CopyError as err:
        print(f"posbon: {err}", file=sys.stderr)
        return 1
    for report in reports:
        if report.rows:
            print(f"{report.table}: {report.rows} rows")
    print(f"copied and verified {sum(r.rows for r in reports)} rows, row by row")
    return 0
