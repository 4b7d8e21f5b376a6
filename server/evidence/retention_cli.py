"""`posbon evidence retention run`: run the retention job now, with a progress bar over the
recordings it deletes, on a node's database and evidence store (the same job the
`evidence-retention` part runs every evidence_retention_check_s)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from tqdm import tqdm

from server.db import open_database
from server.settings import Settings
from server.settings_flags import DATABASE, EVIDENCE, add_arguments


def add(actions: Any) -> None:
    retention = actions.add_parser("retention", help="evidence retention")
    steps = retention.add_subparsers(dest="step", required=True)
    run_now = steps.add_parser(
        "run", help="delete the evidence whose retention has ended (held evidence stays)"
    )
    add_arguments(run_now, (*DATABASE, *EVIDENCE))


async def run(args: argparse.Namespace, settings: Settings) -> str:
    """The job's report in a line (server/evidence/cli.py prints it)."""
    del args  # one step so far: run
    from server.evidence.retention_job import run_once  # noqa: PLC0415
    from server.uploads.storage import evidence_store  # noqa: PLC0415

    db = await open_database(settings)
    try:
        with tqdm(unit="recording", desc="deleting expired evidence", file=sys.stderr) as bar:
            report = await run_once(
                db, evidence_store(settings).backend, dt.datetime.now(dt.UTC), bar.update
            )
    finally:
        await db.close()
    return (
        f"{report.assigned} assigned, {report.expired} expired, {report.held} held, "
        f"{report.deleted} deleted, {report.files_deleted} files removed"
    )
