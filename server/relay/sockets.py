"""The relay sockets open on this node, by the token that opened them, so that whatever learns
a token is revoked can close its sockets (server/sockets/revocation.py does, for the doorbell
and for the periodic check). This registry knows only ids and closers, no domain."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

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

    def token_ids(self) -> set[int]:
        """The tokens that hold a socket open now."""
        return set(self._by_token)

    def close(self, token_ids: Iterable[int]) -> None:
        for token_id in token_ids:
            closers = list(self._by_token.get(token_id, ()))
            if closers:
                logger.info("closing %s sockets of revoked token %s", len(closers), token_id)
            for close in closers:
                close()
