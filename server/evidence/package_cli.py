"""`posbon evidence export | verify-package | signing-key`: the court package from the command
line. `export` builds the same package as `GET /api/v1/incidents/{id}/evidence-package`;
`verify-package` needs neither the database nor the network, so it runs wherever the package
went; `signing-key` prints what a court is given apart from any package."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import shutil
import socket
import sys
from pathlib import Path
from typing import Any, Final

from tqdm import tqdm

from server.auth.schemas import Principal, Role
from server.db import open_database
from server.settings import Settings
from server.settings_flags import DATABASE, EVIDENCE, LOGS, add_arguments

ACTIONS: Final = frozenset({"export", "verify-package", "signing-key"})
SIGNING: Final = ("evidence_signing_key",)


def add_actions(actions: Any) -> None:
    export = actions.add_parser(
        "export", help="write an incident's signed court package (ZIP) to a file"
    )
    export.add_argument("--incident", type=int, required=True, help="the incident's id")
    export.add_argument("--out", type=Path, required=True, help="the ZIP file to write")
    add_arguments(export, (*DATABASE, *EVIDENCE, *SIGNING))
    verify = actions.add_parser(
        "verify-package", help="check a court package offline: signature, files, custody chains"
    )
    verify.add_argument("package", type=Path, help="the package's ZIP file")
    verify.add_argument(
        "--public-key",
        type=Path,
        help="the deployment's public key (PEM), obtained apart from the package; without "
        "it the enclosed key is used, which proves integrity but not origin",
    )
    add_arguments(verify, LOGS)
    key = actions.add_parser(
        "signing-key", help="print the deployment's package-signing public key and fingerprint"
    )
    add_arguments(key, ("data_dir", *SIGNING, *LOGS))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "export":
        return await _export(args.incident, args.out, settings)
    if args.action == "verify-package":
        return await asyncio.to_thread(_verify, args.package, args.public_key)
    return await asyncio.to_thread(_print_key, settings)


def _operator() -> Principal:
    """Who runs the command: whoever can read the database and the key is its operator, so
    the custody log names the account and machine it ran on."""
    return Principal(
        token_id=0, name=f"cli {getpass.getuser()}@{socket.gethostname()}", role=Role.ADMIN
    )


async def _export(incident_id: int, out: Path, settings: Settings) -> int:
    from server.evidence import package  # noqa: PLC0415  (the server stack loads only here)
    from server.evidence.signing import signing_key  # noqa: PLC0415
    from server.uploads.storage import evidence_store  # noqa: PLC0415

    store = evidence_store(settings)
    key = signing_key(settings)
    db = await open_database(settings)
    try:
        planned = await package.plan(db, store, incident_id, _operator())
        total = planned.evidence_bytes
        with tqdm(
            total=total, unit="B", unit_scale=True, desc="packaging evidence", file=sys.stderr
        ) as bar:
            work_dir = settings.data_path / package.WORK_DIR_NAME
            built = await package.build(db, store, key, planned, work_dir, bar.update)
    finally:
        await db.close()
    await asyncio.to_thread(shutil.move, built.path, out)
    print(f"{out}: incident {incident_id}, {len(planned.items)} items, {built.size_bytes} bytes")
    print(f"manifest SHA-256 {built.manifest_sha256}, signed by key {key.fingerprint}")
    return 0


def _verify(path: Path, public_key: Path | None) -> int:
    from server.evidence.package_verify import verify_package  # noqa: PLC0415

    try:
        given = None if public_key is None else public_key.read_bytes()
    except OSError as err:
        print(f"posbon: cannot read the public key {public_key}: {err}", file=sys.stderr)
        return 2
    check = verify_package(path, given)
    for note in check.notes:
        print(note)
    for problem in check.problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    manifest = check.manifest
    if check.intact and manifest is not None:
        print(
            f"{path}: OK: incident {manifest.incident.id}, {len(manifest.items)} items, "
            f"{len(manifest.files)} files, exported {manifest.exported_at.isoformat()} by "
            f"{manifest.exported_by}"
            + ("" if check.origin_proven else " (integrity only: origin not proven)")
        )
        return 0
    print(f"{path}: NOT VERIFIED: {len(check.problems)} problems", file=sys.stderr)
    return 1


def _print_key(settings: Settings) -> int:
    from server.evidence.signing import grouped, signing_key  # noqa: PLC0415

    key = signing_key(settings)
    sys.stdout.write(key.public_pem.decode())
    print(f"fingerprint (SHA-256 of the raw Ed25519 key): {grouped(key.fingerprint)}")
    print(f"private key: {key.path}")
    return 0
