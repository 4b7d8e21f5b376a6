"""The device commands of `posbon`: ``devices import FILE`` (server/import_cli.py) and
``panel send``, a DC-09 panel in one command for installers testing a receiver."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from device_gateway.errors import InvalidKeyError
from device_gateway.protocols.dc09 import parse_key
from device_gateway.protocols.dc09.sender import PanelEvent, walk_test_events
from device_gateway.transports.sender import DEFAULT_TIMEOUT_S, PanelLink
from server.devices.imports import import_devices
from server.import_cli import add_import_command, run_import
from server.settings import Settings

COMMANDS = frozenset({"devices", "panel"})


def add_commands(commands: Any) -> None:
    add_import_command(commands, "devices")
    panel = commands.add_parser("panel", help="act as a DC-09 alarm panel")
    actions = panel.add_subparsers(dest="action", required=True)
    send = actions.add_parser("send", help="send one event and wait for the ACK")
    send.add_argument("--host", default="127.0.0.1", help="receiver address (default %(default)s)")
    send.add_argument(
        "--port", type=int, default=12128, help="receiver port, TCP and UDP (default %(default)s)"
    )
    send.add_argument("--account", required=True, help="panel account, 3-16 hex digits")
    send.add_argument(
        "--code",
        default="120",
        help="Contact ID event (120: panic) or SIA code (PA) (default %(default)s)",
    )
    send.add_argument(
        "--zone", type=int, default=0, help="zone or user, 0-999 (default %(default)s)"
    )
    send.add_argument(
        "--partition", type=int, default=1, help="partition, 0-99 (default %(default)s)"
    )
    send.add_argument(
        "--qualifier",
        default="1",
        choices=["1", "3", "6"],
        help="Contact ID qualifier: 1 new, 3 restore, 6 status (default %(default)s)",
    )
    send.add_argument(
        "--key",
        default="",
        help="AES key; when given, the frame is encrypted (default: none, plaintext)",
    )
    send.add_argument(
        "--key-format",
        default="hex",
        choices=["hex", "ascii"],
        help="how --key is written (default %(default)s)",
    )
    send.add_argument(
        "--udp", action="store_true", help="send over UDP instead of TCP (default: TCP)"
    )
    send.add_argument(
        "--seq", type=int, default=1, help="sequence number, 1-9999 (default %(default)s)"
    )
    send.add_argument(
        "--test-sequence",
        default="",
        metavar="SPEC",
        help="run a zone walk test instead of one event: 'zones=1-10 code=130' sends one event "
        "per zone from --seq on and prints each reply (put the site on test first)",
    )
    send.add_argument(
        "--timeout-s",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help="seconds to wait for the receiver's reply (default %(default)s)",
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "devices":
        return await run_import(settings, args, import_devices)
    return await _send(args)


async def _send(args: argparse.Namespace) -> int:
    """``panel send``: exit status 0 when ACKed (every event of a test sequence), 1 for NAK, DUH
    or silence, 2 for bad arguments."""
    try:
        key = parse_key(args.key, args.key_format) if args.key else None
        if args.test_sequence:
            events = walk_test_events(args.account, args.test_sequence, partition=args.partition)
        else:
            events = [
                PanelEvent(
                    account=args.account,
                    code=args.code,
                    zone=args.zone,
                    partition=args.partition,
                    qualifier=args.qualifier,
                )
            ]
    except (ValueError, InvalidKeyError) as err:
        print(f"posbon panel send: {err}", file=sys.stderr)
        return 2
    link = PanelLink(args.host, args.port, udp=args.udp, key=key, timeout_s=args.timeout_s)
    acked = 0
    for offset, event in enumerate(events):
        reply = await link.send(event, seq=(args.seq - 1 + offset) % 9999 + 1)
        where = f"zone {event.zone:03d} {event.code}: " if args.test_sequence else ""
        if reply is None:
            silent = f"no reply from {args.host}:{args.port} in {args.timeout_s:g} s"
            print(f"{where}{silent}", file=sys.stderr)
            continue
        star = "*" if reply.encrypted else ""
        print(f"{where}{star}{reply.token} {reply.seq}")
        acked += reply.acked
    if args.test_sequence:
        print(f"{acked} of {len(events)} events ACKed")
    return 0 if acked == len(events) else 1
