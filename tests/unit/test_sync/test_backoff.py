"""Backoff: full jitter under a doubling ceiling, capped, and reset by a success."""

from __future__ import annotations

import random

from sync.backoff import Backoff


def test_delays_stay_under_a_ceiling_that_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=8.0)
    rng = random.Random(7)
    delays = [backoff.next_delay_s(rng) for _ in range(8)]
    ceilings = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    assert all(0.0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays[3:]) > 2.0  # the ceiling did grow


def test_a_success_starts_again_from_the_shortest_delay() -> None:
    backoff = Backoff(base_s=1.0, max_s=300.0)
    rng = random.Random(1)
    for _ in range(6):
        backoff.next_delay_s(rng)
    backoff.reset()
    assert backoff.next_delay_s(rng) <= 1.0


def test_two_devices_failing_together_do_not_retry_in_lockstep() -> None:
    first, second = Backoff(), Backoff()
    rng = random.Random(3)
    assert first.next_delay_s(rng) != second.next_delay_s(rng)
