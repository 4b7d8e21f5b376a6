"""The `posbon` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from server import logs
from server import settings as settings_module
from server.auth.schemas import Role
from server.auth.service import create_token
from server.crews.imports import import_crews
from server.db import open_database
from server.devices.imports import import_devices
from server.errors import ApiError
from server.imports import ImportReport
from server.settings import Settings, SettingsError
from server.sites.imports import import_sites

Importer = Callable[..., Awaitable[ImportReport]]
IMPORTERS: dict[str, Importer] = {
    "sites": import_sites,
    "devices": import_devices,
    "crews": import_crews,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posbon", description="Posbon public-safety backend.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("serve", "run every listener in one process"),
        ("demo", "serve with seeded Samarkand data and simulators"),
        ("migrate", "create or upgrade the database schema"),
    ):
        settings_module.add_arguments(commands.add_parser(name, help=text))
    token = commands.add_parser("token", help="manage bearer tokens")
    token_commands = token.add_subparsers(dest="action", required=True)
    create = token_commands.add_parser("create", help="print a new bearer token")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", required=True)
    create.add_argument("--crew", type=int, default=None, help="crew id (crew tokens only)")
    settings_module.add_arguments(create)
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
        settings_module.add_arguments(importer)
    return parser


async def _token(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings)
    try:
        issued = await create_token(args.name, Role(args.role), args.crew)
    finally:
        await db.close()
    print(issued.token)
    return 0


async def _import(settings: Settings, what: str, path: Path, skip_invalid: bool) -> int:
    text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    db = await open_database(settings)
    try:
        with tqdm(
            total=max(0, text.count("\n") - 1),
            unit="row",
            desc=f"importing {what}",
            file=sys.stderr,
        ) as bar:
            report = await IMPORTERS[what](db, text, skip_invalid=skip_invalid, progress=bar.update)
    finally:
        await db.close()
    for rejected in report.rejected:
        print(f"{path}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    print(report.detail)
    return 0 if report.applied else 1


async def _migrate(settings: Settings) -> int:
    db = await open_database(settings)
    await db.close()
    print("database schema is up to date")
    return 0


def _dispatch(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int | None]:
    from server import demo, runner  # noqa: PLC0415  (the server stack loads only when serving)

    match args.command:
        case "serve":
            return runner.serve(settings)
        case "demo":
            return demo.run(settings)
        case "migrate":
            return _migrate(settings)
        case "token":
            return _token(settings, args)
        case _:
            return _import(settings, args.command, args.file, args.skip_invalid)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = settings_module.load(args)
    except SettingsError as err:
        print(f"posbon: {err}", file=sys.stderr)
        return 2
    logs.configure(json_lines=settings.log_json, level=settings.log_level)
    try:
        return asyncio.run(_dispatch(args, settings)) or 0
    except ApiError as err:
        print(f"posbon: {err.detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
