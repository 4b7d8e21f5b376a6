"""How long an account is locked after wrong passwords or codes in a row. Pure arithmetic.

Every `max_failures`-th failure in a row locks the account: the first lock for `lockout_s`, each
further one twice as long as the one before, at most a day. A correct sign-in resets the count;
attempts while locked are refused unchecked and not counted.
"""

from __future__ import annotations

from typing import Final

MAX_LOCK_S: Final = 86_400.0


def lock_for_s(failures_in_a_row: int, max_failures: int, lockout_s: float) -> float:
    """Seconds to lock the account for, after this many failures in a row (0: no lock)."""
    if failures_in_a_row <= 0 or failures_in_a_row % max_failures:
        return 0.0
    locks = failures_in_a_row // max_failures
    # 2**locks grows without bound; past ~17 doublings the day's cap is reached anyway.
    return min(MAX_LOCK_S, lockout_s * float(2 ** min(locks - 1, 40)))
