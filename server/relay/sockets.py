"""The sockets open on this node, by the token that opened them, so that a revoked token's
sockets close within a moment instead of streaming on.

Revoking rings `token-revoked:<id>` after its commit (server/auth/service.py); the bus carries
that name to every node like a stream name, and `heard` closes the token's sockets there (close
code 4401) and drops the token from that node's cache. A revocation no doorbell announced (the
`posbon token revoke` command runs in its own process; a bus that was down) is found by
`sweep`, which asks the database every few seconds which open sockets' tokens are revoked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from server.auth import repository as tokens
from server.auth.service import forget, revoked_in

logger = logging.getLogger(__name__)

Closer = Callable[[], None]


class OpenSockets:
    def __init__(self) -> None:
        self._by_token: dict[int, set[Closer]] = {}

    def add(self, token_id: int, close: Closer) -> None:
        self._by_token.setdefault(token_id, set()).add(close)

    def discard(self, token_id: int, close: Closer) -> None:
        closers = self._by_token.get(token_id)
        if closers is None:
            return
        closers.discard(close)
        if not closers:
            del self._by_token[token_id]

    def __len__(self) -> int:
        return sum(len(closers) for closers in self._by_token.values())

    def heard(self, names: frozenset[str]) -> None:
        """A bus listener: close the sockets of every token the doorbell names as revoked."""
        revoked = revoked_in(names)
        if revoked:
            forget(revoked)
            self.close(revoked)

    def close(self, token_ids: set[int]) -> None:
        for token_id in token_ids:
            closers = list(self._by_token.get(token_id, ()))
            if closers:
                logger.info("closing %s sockets of revoked token %s", len(closers), token_id)
            for close in closers:
                close()

    async def sweep(self) -> None:
        """Close the sockets whose token the database says is revoked."""
        if not self._by_token:
            return
        revoked = await tokens.revoked_among(list(self._by_token))
        if revoked:
            forget(revoked)
            self.close(revoked)

    async def sweep_forever(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.sweep()
            except Exception:  # the next round tries again; doorbells still close sockets
                logger.exception("could not check the open sockets' tokens")
