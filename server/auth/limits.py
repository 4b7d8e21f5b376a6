"""Failed token lookups per client address: guessing tokens costs a query each, so an address
that presents more than `max_failures` unknown tokens within `window_s` is refused for
`block_s` (HTTP 429, socket close 4429) without any lookup, valid tokens included.

Addresses are the client's (server/auth/guards.py `client_address`): the TCP peer's, or behind
a proxy named in --forwarded-allow the one it forwarded. Behind a proxy not named there every
client shares the proxy's address, so the limits then hold for the proxy's whole traffic. The
table is bounded: when it is full, addresses whose window and block are over are dropped first,
then the oldest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from server.errors import ApiError

MAX_ADDRESSES: Final = 100_000


class TooManyFailedTokens(ApiError):
    """The caller's address presented too many unknown tokens lately (our limit, not a fault)."""

    status_code = 429
    code = "too_many_failed_tokens"


class _Address:
    __slots__ = ("blocked_until", "failures", "window_start")

    def __init__(self, now: float) -> None:
        self.window_start = now
        self.failures = 0
        self.blocked_until = 0.0


class FailedLookups:
    def __init__(
        self,
        max_failures: int,
        window_s: float,
        block_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.block_s = block_s
        self._clock = clock
        self._addresses: dict[str, _Address] = {}

    def blocked_for(self, address: str) -> float:
        """Seconds the address is still refused for (0: it may present tokens)."""
        entry = self._addresses.get(address)
        if entry is None:
            return 0.0
        return max(0.0, entry.blocked_until - self._clock())

    def failed(self, address: str) -> bool:
        """Count an unknown token from `address`; True when this failure starts a block (the
        moment to log it, once)."""
        now = self._clock()
        entry = self._addresses.get(address)
        if entry is None:
            self._make_room(now)
            entry = self._addresses[address] = _Address(now)
        if now - entry.window_start > self.window_s:
            entry.window_start, entry.failures = now, 0
        entry.failures += 1
        if entry.failures > self.max_failures and entry.blocked_until <= now:
            entry.blocked_until = now + self.block_s
            entry.window_start, entry.failures = now, 0
            return True
        return False

    def refusal(self, address: str) -> TooManyFailedTokens | None:
        """The error to answer with while the address is refused."""
        left_s = self.blocked_for(address)
        if not left_s:
            return None
        return TooManyFailedTokens(
            f"Too many unknown tokens came from this address; try again in {left_s:.0f} s."
        )

    def __len__(self) -> int:
        return len(self._addresses)

    def _make_room(self, now: float) -> None:
        if len(self._addresses) < MAX_ADDRESSES:
            return
        for address, entry in list(self._addresses.items()):
            if entry.blocked_until <= now and now - entry.window_start > self.window_s:
                del self._addresses[address]
        while len(self._addresses) >= MAX_ADDRESSES:
            del self._addresses[next(iter(self._addresses))]
