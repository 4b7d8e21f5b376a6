"""A revoked token's sockets close within a moment instead of streaming on.

Revoking rings `token-revoked:<id>` after its commit (server/auth/service.py); the bus carries
that name to every node like a stream name, and the listener `heard_by` gives each node closes
the token's sockets there (close code 4401) and drops the token from that node's cache. A
revocation no doorbell announced (the `posbon token revoke` command runs in its own process; a
bus that was down) is found by `sweep_forever`, the `revoked-sockets` part: every
`REVOCATION_CHECK_S` (1 s) it asks the database which of the tokens this node trusts, cached for
HTTP or holding a socket open, are revoked, drops them from the cache and closes their sockets.
"""

from __future__ import annotations

import asyncio
import logging

from server.auth.service import find_revoked, forget, revoked_in
from server.db import Database
from server.relay.bus import Listener
from server.relay.sockets import OpenSockets

logger = logging.getLogger(__name__)


def heard_by(sockets: OpenSockets) -> Listener:
    """A bus listener: close the sockets of every token the doorbell names as revoked."""

    def heard(names: frozenset[str]) -> None:
        revoked = revoked_in(names)
        if revoked:
            forget(revoked)
            sockets.close(revoked)

    return heard


async def sweep(db: Database, sockets: OpenSockets) -> None:
    """Forget the cached tokens and close the sockets whose token the database says is revoked."""
    sockets.close(await find_revoked(db, sockets.token_ids()))


async def sweep_forever(db: Database, sockets: OpenSockets, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await sweep(db, sockets)
        except Exception:  # the next round tries again; doorbells still close sockets
            logger.exception("could not check which trusted tokens are revoked")
