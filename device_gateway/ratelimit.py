"""Per-source token buckets, sans-I/O: the caller passes the time, nothing here reads a clock.

Each key (a source IP, an account) owns a bucket of ``burst`` tokens that refills at
``rate_per_s``; a message spends one token. What to do with a message that finds its bucket
empty is the caller's policy, not the bucket's: the DC-09 gateway stays silent to troubles and
tests (the panel keeps them queued and resends, reference §1.9) but still stores and ACKs
alarms, so that shedding never loses a panic. Buckets that have refilled completely carry no
information and are forgotten, which bounds memory by the number of *busy* sources.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from typing import Final

import msgspec

from device_gateway.errors import LocalProtocolError

DEFAULT_RATE_PER_S: Final = 20.0
"""Reference §7: allow at least 20 frames per second per source IP before shedding."""
DEFAULT_BURST: Final = 200.0
"""A whole school behind one NAT address reconnecting after a power cut."""
DEFAULT_MAX_KEYS: Final = 100_000


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    """``rate_per_s`` 0 switches limiting off."""

    rate_per_s: float = DEFAULT_RATE_PER_S
    burst: float = DEFAULT_BURST
    max_keys: int = DEFAULT_MAX_KEYS

    def __post_init__(self) -> None:
        if self.rate_per_s < 0 or self.burst < 1 or self.max_keys < 1:
            raise LocalProtocolError("rate_per_s must be >= 0, burst >= 1 and max_keys >= 1")

    @property
    def enabled(self) -> bool:
        return self.rate_per_s > 0


class TokenBuckets:
    def __init__(self, limit: RateLimit) -> None:
        self._limit = limit
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, now_s: float) -> bool:
        """Spend one token of ``key``'s bucket at monotonic time ``now_s``; False when empty."""
        limit = self._limit
        if not limit.enabled:
            return True
        tokens, at = self._buckets.get(key, (limit.burst, now_s))
        tokens = min(limit.burst, tokens + max(0.0, now_s - at) * limit.rate_per_s)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now_s)
        if len(self._buckets) > limit.max_keys:
            self._forget_full(now_s)
        return allowed

    def _forget_full(self, now_s: float) -> None:
        limit = self._limit
        full = [
            key
            for key, (tokens, at) in self._buckets.items()
            if tokens + (now_s - at) * limit.rate_per_s >= limit.burst
        ]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) > limit.max_keys:  # all busy: forget the oldest (most lenient)
            del self._buckets[next(iter(self._buckets))]


def exempt_networks(spec: str) -> Callable[[str], bool]:
    """``"127.0.0.0/8,::1"`` → a test for whether a source host is exempt from limiting."""
    try:
        networks = [ipaddress.ip_network(part.strip()) for part in spec.split(",") if part.strip()]
    except ValueError as err:
        raise LocalProtocolError(f"not a list of networks: {spec!r}") from err

    @functools.lru_cache(maxsize=16_384)  # parsed once per host, not once per frame
    def exempt(host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in networks)

    return exempt
