"""The `posbon` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Final, TypeAlias

import uvloop
from tqdm import tqdm

from server import logs
from server import settings as settings_module
from server.auth import cli as auth_cli
from server.cluster import cli as cluster_cli
from server.crews.imports import import_crews
from server.db import open_database
from server.devices import panel_cli
from server.devices.imports import import_devices
from server.errors import ApiError
from server.imports import BATCH_ROWS, BadEncodingError, ImportReport, decode_csv
from server.recognition import cli as recognition_cli
from server.settings import Settings, SettingsError, flag_and_variable
from server.settings_flags import DATABASE, EVIDENCE, add_arguments
from server.sites.imports import import_sites
from server.startup_errors import database_failure
from server.stopping import Stopper
from server.sync import cli as sync_cli

Importer = Callable[..., Awaitable[ImportReport]]
IMPORTERS: dict[str, Importer] = {
    "sites": import_sites,
    "devices": import_devices,
    "crews": import_crews,
}
SERVING: Final = {
    "serve": "run every listener in one process",
    "demo": "serve with seeded Samarkand data and simulators",
}
"""The commands that serve until stopped (they read every setting)."""
PICCOLO_UNREACHABLE: Final = r".*Unable to (connect to database|fetch server version)"
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # noqa: SLF001


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posbon", description="Posbon public-safety backend.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in SERVING.items():
        add_arguments(commands.add_parser(name, help=text, description=text))  # every setting
    migrate = "create or upgrade the database schema"
    add_arguments(commands.add_parser("migrate", help=migrate, description=migrate), DATABASE)
    auth_cli.add_commands(commands)
    _add_station(commands)
    _add_custody(commands)
    recognition_cli.add_commands(commands)
    cluster_cli.add_commands(commands)
    panel_cli.add_commands(commands)
    sync_cli.add_commands(commands)
    _add_imports(commands)
    return parser


def _add_station(commands: Subcommands) -> None:
    station = commands.add_parser("station", help="body-cam upload station")
    station_actions = station.add_subparsers(dest="action", required=True)
    run = station_actions.add_parser("run", help="watch a docking folder and upload recordings")
    run.add_argument("folder", type=Path)
    run.add_argument("--server", required=True, help="Posbon's URL, e.g. http://10.0.0.5:8000")
    run.add_argument("--token", required=True, help="an upload_station token")
    run.add_argument("--once", action="store_true", help="one round, then exit")
    run.add_argument("--interval-s", type=float, default=30.0, help="seconds between rounds")
    run.add_argument("--log-level", default="info")
    run.add_argument("--log-json", action="store_const", const="true")


def _add_custody(commands: Subcommands) -> None:
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


def _add_imports(commands: Subcommands) -> None:
    for what in IMPORTERS:
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


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        text = decode_csv(await asyncio.to_thread(path.read_bytes))
    except BadEncodingError as err:
        report = err.report()
    else:
        report = await _import_text(settings, args.command, text, args)
    for rejected in report.rejected:
        print(f"{path}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    print(report.detail)
    return 0 if report.applied else 1


async def _import_text(
    settings: Settings, what: str, text: str, args: argparse.Namespace
) -> ImportReport:
    db = await open_database(settings)
    try:
        with tqdm(
            total=max(0, text.count("\n") - 1),
            unit="row",
            desc=f"importing {what}",
            file=sys.stderr,
        ) as bar:
            return await IMPORTERS[what](
                db,
                text,
                skip_invalid=args.skip_invalid,
                progress=bar.update,
                batch_rows=args.batch_rows,
            )
    finally:
        await db.close()


async def _verify_custody(settings: Settings) -> int:
    from server.uploads.evidence_files import verify_all  # noqa: PLC0415
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


async def _migrate(settings: Settings) -> int:
    db = await open_database(settings)
    await db.close()
    print("database schema is up to date")
    return 0


def _station(args: argparse.Namespace, _: Settings) -> Coroutine[Any, Any, int]:
    from sync.station_cli import run_station  # noqa: PLC0415

    return run_station(
        args.folder, args.server, args.token, once=args.once, interval_s=args.interval_s
    )


def _dispatch(
    args: argparse.Namespace, settings: Settings, stopper: Stopper
) -> Coroutine[Any, Any, int | None]:
    from server import demo, runner  # noqa: PLC0415  (the server stack loads only when serving)

    commands: dict[str, Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, Any]]] = {
        "serve": lambda _, s: runner.serve(s, extra=stopper.beside_server),
        "demo": lambda _, s: demo.run(s, beside=stopper.beside_server),
        "migrate": lambda _, s: _migrate(s),
        "custody": lambda a, s: (
            _copy_to_bucket(s) if a.action == "copy-to-bucket" else _verify_custody(s)
        ),
        "station": _station,
        "panel": lambda a, _: panel_cli.run(a),
    }
    if args.command in commands:
        return commands[args.command](args, settings)
    if args.command in auth_cli.COMMANDS:
        return auth_cli.run(args, settings)
    if args.command in recognition_cli.COMMANDS:
        return recognition_cli.run(args, settings)
    if args.command in cluster_cli.COMMANDS:
        return cluster_cli.run(args, settings)
    if args.command in sync_cli.COMMANDS:
        return sync_cli.run(args, settings)
    return _import(settings, args)


def _loop_factory(settings: Settings) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if settings.event_loop == "uvloop":
        return uvloop.new_event_loop
    return None


def _run(args: argparse.Namespace, settings: Settings, stopper: Stopper) -> int:
    serving = args.command in SERVING
    with asyncio.Runner(loop_factory=_loop_factory(settings)) as runner:
        work = _dispatch(args, settings, stopper)
        try:
            return runner.run(stopper.run(work) if serving else work) or 0
        except Exception as err:
            failure = database_failure(err, settings)
            if failure is None:
                raise
            raise failure from err


def _refuse(err: SettingsError) -> int:
    print(f"posbon: {err}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stopper = Stopper()
    # Serving commands take the signals before anything else, so that asyncio.Runner leaves
    # SIGINT to the stopper and a stop asked during start-up is a clean exit too.
    with stopper.installed() if args.command in SERVING else contextlib.nullcontext():
        return _main(args, stopper)


def _main(args: argparse.Namespace, stopper: Stopper) -> int:
    try:
        settings = settings_module.load(args)
    except SettingsError as err:
        return _refuse(err)
    logs.configure(json_lines=settings.log_json, level=settings.log_level)
    # piccolo warns on stderr when its version check cannot reach PostgreSQL; the failed open
    # that follows says so once, naming the setting to change.
    warnings.filterwarnings("ignore", message=PICCOLO_UNREACHABLE)
    try:
        return _run(args, settings, stopper)
    except ApiError as err:
        print(f"posbon: {err.detail}", file=sys.stderr)
        return 1
    except SettingsError as err:  # found while starting: a port, the database, an S3 address
        return _refuse(err)
    except asyncio.CancelledError:
        if stopper.asked:
            return 0  # stopped by a signal before the server was up: nothing is left open
        raise
    except KeyboardInterrupt:
        return 130
