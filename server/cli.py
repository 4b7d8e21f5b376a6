"""The `posbon` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import warnings
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Final, Protocol

import uvloop

from server import logs
from server import settings as settings_module
from server.accounts import cli as accounts_cli
from server.audit import cli as audit_cli
from server.auth import cli as auth_cli
from server.cluster import cli as cluster_cli
from server.contacts import cli as contacts_cli
from server.crews import cli as crews_cli
from server.db import open_database
from server.devices import cli as devices_cli
from server.errors import ApiError
from server.evidence import cli as evidence_cli
from server.plans import cli as plans_cli
from server.recognition import cli as recognition_cli
from server.settings import Settings, SettingsError
from server.settings_flags import DATABASE, add_arguments
from server.sites import cli as sites_cli
from server.startup_errors import database_failure
from server.stopping import Stopper
from server.sync import cli as sync_cli
from server.uploads import cli as uploads_cli


class DomainCli(Protocol):
    """What a domain's `cli` module offers: the top-level commands it owns, how to add them to
    the parser, and how to run one of them."""

    COMMANDS: frozenset[str]

    def add_commands(self, commands: Any) -> None: ...

    def run(self, args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int]: ...


DOMAIN_CLIS: Final[tuple[DomainCli, ...]] = (
    auth_cli,
    accounts_cli,
    sites_cli,
    devices_cli,
    crews_cli,
    recognition_cli,
    uploads_cli,
    evidence_cli,
    sync_cli,
    cluster_cli,
    plans_cli,
    contacts_cli,
    audit_cli,
)
"""Every domain's commands, in the order `posbon --help` lists them."""
SERVING: Final = {
    "serve": "run every listener in one process",
    "demo": "serve with seeded Samarkand data and simulators",
}
"""The commands that serve until stopped (they read every setting)."""
PICCOLO_UNREACHABLE: Final = r".*Unable to (connect to database|fetch server version)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posbon", description="Posbon public-safety backend.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in SERVING.items():
        add_arguments(commands.add_parser(name, help=text, description=text))  # every setting
    migrate = "create or upgrade the database schema"
    add_arguments(commands.add_parser("migrate", help=migrate, description=migrate), DATABASE)
    for domain in DOMAIN_CLIS:
        domain.add_commands(commands)
    return parser


async def _migrate(settings: Settings) -> int:
    db = await open_database(settings)
    await db.close()
    print("database schema is up to date")
    return 0


def _dispatch(
    args: argparse.Namespace, settings: Settings, stopper: Stopper
) -> Coroutine[Any, Any, int | None]:
    if args.command == "serve":
        from server import runner  # noqa: PLC0415  (the server stack loads only when serving)

        return runner.serve(settings, extra=stopper.beside_server)
    if args.command == "demo":
        from server import demo  # noqa: PLC0415

        return demo.run(settings, beside=stopper.beside_server)
    if args.command == "migrate":
        return _migrate(settings)
    owner = next(domain for domain in DOMAIN_CLIS if args.command in domain.COMMANDS)
    return owner.run(args, settings)


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
