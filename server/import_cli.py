"""`posbon <what> import FILE`: the one CSV import command that sites, devices and crews share.

Each domain's `cli` module adds the command under its own name with `add_import_command` and
runs it with `run_import`, passing its importer (`import_sites`, `import_devices` …). The rows go
in batches of small transactions, with a progress bar on stderr; rejected rows are printed as
``FILE:LINE: reason``, and the exit status is 1 when nothing was applied.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from server.audit.log import audit_import, cli_actor
from server.db import open_database
from server.imports import BATCH_ROWS, BadEncodingError, ImportReport, decode_csv
from server.settings import Settings
from server.settings_flags import DATABASE, add_arguments

Importer = Callable[..., Awaitable[ImportReport]]


def add_import_command(commands: Any, what: str) -> None:
    group = commands.add_parser(what, help=f"manage {what}")
    actions = group.add_subparsers(dest="action", required=True)
    importer = actions.add_parser("import", help=f"import {what} from a CSV file")
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows even if some rows are bad",
    )
    importer.add_argument(
        "--batch-rows",
        type=_row_count,
        default=BATCH_ROWS,
        help="rows per transaction (default %(default)s); 0 writes the whole file in one "
        "transaction, which on SQLite holds up every alarm commit until it ends",
    )
    add_arguments(importer, DATABASE)


def _row_count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of rows (0 or more)")
    return int(text)


async def run_import(settings: Settings, args: argparse.Namespace, importer: Importer) -> int:
    path: Path = args.file
    try:
        text = decode_csv(await asyncio.to_thread(path.read_bytes))
    except BadEncodingError as err:
        report = err.report()
    else:
        report = await _import_text(settings, args, text, importer)
    for rejected in report.rejected:
        print(f"{path}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    print(report.detail)
    return 0 if report.applied else 1


async def _import_text(
    settings: Settings, args: argparse.Namespace, text: str, importer: Importer
) -> ImportReport:
    db = await open_database(settings)
    try:
        with tqdm(
            total=max(0, text.count("\n") - 1),
            unit="row",
            desc=f"importing {args.command}",
            file=sys.stderr,
        ) as bar:
            report: ImportReport = await importer(
                db,
                text,
                skip_invalid=args.skip_invalid,
                progress=bar.update,
                batch_rows=args.batch_rows,
            )
        if report.applied:
            await audit_import(db, args.command, cli_actor(), report)
        return report
    finally:
        await db.close()
