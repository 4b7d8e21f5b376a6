"""The demo's buttons as real DC-09 panels: a press is an ADM-CID frame sent to our own
receiver, so the demo exercises the whole alert path (framing, durable ACK, alert rules)."""

from __future__ import annotations

import itertools
import logging
import random
from typing import Final

from device_gateway.protocols.dc09.sender import PanelEvent
from device_gateway.transports.sender import PanelLink
from server.alerts.schemas import AlertKind
from server.db import Database
from server.devices.repository import receiver_accounts
from server.devices.schemas import Protocol

logger = logging.getLogger(__name__)

CID_FOR: Final = {
    AlertKind.PANIC: "120",
    AlertKind.SOS: "120",
    AlertKind.INTRUSION: "130",
    AlertKind.MEDICAL: "100",
    AlertKind.FIRE: "110",
    AlertKind.TEST: "602",
}
MAX_ZONE: Final = 8
ANY_ADDRESS: Final = frozenset({"0.0.0.0", "::", ""})  # noqa: S104  (where we bound, not bind)
_sequence = itertools.count(1)


async def press_a_panel(
    db: Database,
    host: str,
    port: int | None,
    rng: random.Random,
    kind: AlertKind,
    only: frozenset[str] | None = None,
) -> bool:
    """Send one event from a random unencrypted demo panel (one of the accounts `only`, when
    given and any is registered) to our own receiver, bound on `host` (the setting) and `port`
    (None: not running); True once the receiver ACKed it."""
    code = CID_FOR.get(kind)
    if port is None or code is None:
        return False
    panels = [device for device in await receiver_accounts(db, Protocol.DC09) if not device.key]
    if only is not None:
        panels = [device for device in panels if device.account in only] or panels
    if not panels:
        return False
    account = rng.choice(panels).account
    link = PanelLink("127.0.0.1" if host in ANY_ADDRESS else host, port)
    event = PanelEvent(account=account, code=code, zone=rng.randint(1, MAX_ZONE))
    reply = await link.send(event, seq=next(_sequence) % 9999 + 1)
    if reply is None or not reply.acked:
        logger.warning("demo panel %s got no ACK from our own receiver: %s", account, reply)
        return False
    return True
