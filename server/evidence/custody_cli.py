"""`posbon custody verify | copy-to-bucket`: every custody chain and stored evidence file
checked, and verified evidence copied from the evidence directory into a bucket."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm

from server.db import open_database
from server.settings import Settings, SettingsError, flag_and_variable
from server.settings_flags import DATABASE, EVIDENCE, add_arguments


def add_custody(commands: Any) -> None:
    custody = commands.add_parser("custody", help="evidence custody")
    custody_actions = custody.add_subparsers(dest="action", required=True)
    verify = custody_actions.add_parser(
        "verify", help="check every custody chain and every stored evidence file"
    )
    add_arguments(verify, (*DATABASE, *EVIDENCE))
    to_bucket = custody_actions.add_parser(
        "copy-to-bucket",
        help="copy verified evidence from the evidence directory into the --evidence-s3-url bucket",
    )
    add_arguments(to_bucket, (*DATABASE, *EVIDENCE))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "copy-to-bucket":
        return await _copy_to_bucket(settings)
    return await _verify_custody(settings)


async def _verify_custody(settings: Settings) -> int:
    from server.evidence.files import verify_all  # noqa: PLC0415
    from server.uploads.storage import evidence_store  # noqa: PLC0415

    db = await open_database(settings)
    try:
        checks = await verify_all(db, evidence_store(settings))
    finally:
        await db.close()
    broken = [check for check in checks if not check.intact]
    for check in broken:
        where = "" if check.first_bad_entry_id is None else f" at entry {check.first_bad_entry_id}"
        print(f"recording {check.recording_id}: BROKEN{where}: {check.problem}", file=sys.stderr)
    print(f"{len(checks)} recordings checked, {len(broken)} broken")
    return 1 if broken else 0


async def _copy_to_bucket(settings: Settings) -> int:
    from server.uploads.copy import copy_to_bucket, files_to_copy  # noqa: PLC0415
    from server.uploads.storage import evidence_directory, evidence_store  # noqa: PLC0415

    if not settings.evidence_s3_url:
        raise SettingsError(
            f"{flag_and_variable('evidence_s3_url')} is empty; set it to the bucket to copy "
            "into (s3://BUCKET/PREFIX)"
        )
    stores = (evidence_directory(settings), evidence_store(settings).backend)
    db = await open_database(settings)
    try:
        files = await files_to_copy(db)
        with tqdm(total=len(files), unit="file", desc="copying evidence", file=sys.stderr) as bar:
            report = await copy_to_bucket(db, files, stores, bar.update)
    finally:
        await db.close()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(
        f"{report.copied} copied, {report.already_there} already in the bucket, "
        f"{len(report.problems)} problems"
    )
    return 1 if report.problems else 0
