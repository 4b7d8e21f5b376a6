"""`posbon station run`: the body-cam docking station that uploads recordings to a server (the
sync library's station, over tus). The custody commands are evidence management's
(server/evidence/custody_cli.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from server.settings import Settings

COMMANDS = frozenset({"station"})


def add_commands(commands: Any) -> None:
    _add_station(commands)


def _add_station(commands: Any) -> None:
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


async def run(args: argparse.Namespace, settings: Settings) -> int:
    del settings  # the station talks to a server, never to a database
    from sync.station_cli import run_station  # noqa: PLC0415

    return await run_station(
        args.folder, args.server, args.token, once=args.once, interval_s=args.interval_s
    )
