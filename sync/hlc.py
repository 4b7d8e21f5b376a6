"""Hybrid logical clocks packed in one int64, and the server's clamp on device time.

A stamp is ``(physical_ms << 16) | logical``: physical is the largest wall time seen, logical
counts events within that millisecond. Comparing the ints compares the stamps; ties between
devices are broken by device id (see :func:`order_key`). Nobody here reads a clock: every
function takes the wall time it should use.

Device clocks lie (sync pain point P4: a far-future stamp wins every last-writer-wins forever),
so the server clamps a device's physical time to ``server_now + max_ahead`` before it is used
and reports the device's offset so it can be recorded for custody and alerting.
"""

from __future__ import annotations

import uuid
from typing import Final

import msgspec

LOGICAL_BITS: Final = 16
MAX_LOGICAL: Final = (1 << LOGICAL_BITS) - 1
MAX_PHYSICAL_MS: Final = (1 << (63 - LOGICAL_BITS)) - 1
DEFAULT_MAX_AHEAD_MS: Final = 5 * 60 * 1000


def pack(physical_ms: int, logical: int) -> int:
    """Pack a wall time in ms and a logical counter into one stamp."""
    if not 0 <= physical_ms <= MAX_PHYSICAL_MS:
        raise ValueError(f"physical_ms {physical_ms} out of range")
    if not 0 <= logical <= MAX_LOGICAL:
        raise ValueError(f"logical {logical} out of range")
    return (physical_ms << LOGICAL_BITS) | logical


def unpack(stamp: int) -> tuple[int, int]:
    """Split a stamp into ``(physical_ms, logical)``."""
    return stamp >> LOGICAL_BITS, stamp & MAX_LOGICAL


def order_key(stamp: int, device_id: uuid.UUID) -> tuple[int, int]:
    """Total order of writes: the stamp, then the device id as a tie-break."""
    return stamp, device_id.int


def _next(physical_ms: int, logical: int) -> int:
    """Pack, carrying a logical overflow into the next millisecond."""
    if logical > MAX_LOGICAL:
        return pack(physical_ms + 1, 0)
    return pack(physical_ms, logical)


def tick(last: int, wall_ms: int) -> int:
    """The stamp for a local event or a send, strictly after ``last``."""
    last_ms, last_logical = unpack(last)
    if wall_ms > last_ms:
        return pack(wall_ms, 0)
    return _next(last_ms, last_logical + 1)


def receive(last: int, remote: int, wall_ms: int) -> int:
    """The stamp after receiving ``remote``: after both ``last`` and ``remote``."""
    last_ms, last_logical = unpack(last)
    remote_ms, remote_logical = unpack(remote)
    top_ms = max(last_ms, remote_ms, wall_ms)
    logical = -1  # the wall clock alone moved ahead: start the millisecond at 0
    if top_ms == last_ms:
        logical = max(logical, last_logical)
    if top_ms == remote_ms:
        logical = max(logical, remote_logical)
    return _next(top_ms, logical + 1)


class ClampedStamp(msgspec.Struct, frozen=True):
    """A device stamp after the server's clamp."""

    stamp: int
    was_clamped: bool


def clamp(stamp: int, server_now_ms: int, max_ahead_ms: int = DEFAULT_MAX_AHEAD_MS) -> ClampedStamp:
    """Limit a device stamp's physical time to ``server_now_ms + max_ahead_ms``.

    The logical part is kept so two clamped writes from one device keep their order.
    """
    physical_ms, logical = unpack(stamp)
    ceiling_ms = server_now_ms + max_ahead_ms
    if physical_ms <= ceiling_ms:
        return ClampedStamp(stamp=stamp, was_clamped=False)
    return ClampedStamp(stamp=pack(ceiling_ms, logical), was_clamped=True)


def clock_offset_ms(device_wall_ms: int, server_now_ms: int) -> int:
    """How far the device's wall clock is ahead of the server's (negative: behind)."""
    return device_wall_ms - server_now_ms


class HybridClock:
    """One replica's clock: never behind a stamp it has handed out or seen. The wall time is
    passed in, like everywhere in this module; a server holds one per node (server/state.py)."""

    def __init__(self) -> None:
        self.stamp = 0

    def tick(self, wall_ms: int) -> int:
        """A stamp for a local event, after every stamp before it."""
        self.stamp = tick(self.stamp, wall_ms)
        return self.stamp

    def after(self, remote: int, wall_ms: int) -> int:
        """A stamp after ``remote`` and after every stamp before it."""
        self.stamp = receive(self.stamp, remote, wall_ms)
        return self.stamp

    def observe(self, stamp: int) -> None:
        """Move past a stamp handed out elsewhere (a push's last one)."""
        self.stamp = max(self.stamp, stamp)
