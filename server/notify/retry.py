"""When a notice whose channel was down is tried again: exponential backoff, capped.

Pure, so the sender and its tests agree on the numbers without a clock.
"""

from __future__ import annotations

import msgspec


class Backoff(msgspec.Struct, frozen=True, kw_only=True):
    first_s: float
    max_s: float

    def delay_s(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed try (1 for the first): ``first_s``,
        doubling each time, never more than ``max_s``."""
        if attempts <= 1:
            return min(self.first_s, self.max_s)
        # Past ~60 doublings the float overflows long before it matters; stop doubling there.
        doublings = min(attempts - 1, 60)
        return min(self.first_s * 2.0**doublings, self.max_s)
