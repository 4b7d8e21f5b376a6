"""Unknown tokens per client address: counted in a window, then a block, then a fresh start."""

from __future__ import annotations

from server.auth.limits import FailedLookups


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_failure_past_the_limit_starts_one_block_for_that_address_only() -> None:
    clock = Clock()
    failures = FailedLookups(max_failures=3, window_s=60.0, block_s=30.0, clock=clock)
    started = [failures.failed("10.0.0.1") for _ in range(4)]
    assert started == [False, False, False, True]
    assert failures.blocked_for("10.0.0.1") == 30.0
    assert failures.refusal("10.0.0.1") is not None
    assert failures.blocked_for("10.0.0.2") == 0.0
    assert failures.refusal("10.0.0.2") is None


def test_the_block_ends_and_old_failures_are_forgotten() -> None:
    clock = Clock()
    failures = FailedLookups(max_failures=2, window_s=10.0, block_s=5.0, clock=clock)
    for _ in range(3):
        failures.failed("10.0.0.1")
    clock.now += 5.0
    assert failures.refusal("10.0.0.1") is None
    assert [failures.failed("10.0.0.1") for _ in range(2)] == [False, False]
    clock.now += 11.0
    assert [failures.failed("10.0.0.1") for _ in range(2)] == [False, False]
    assert failures.blocked_for("10.0.0.1") == 0.0


def test_slow_failures_never_block() -> None:
    clock = Clock()
    failures = FailedLookups(max_failures=2, window_s=10.0, block_s=5.0, clock=clock)
    for _ in range(20):
        assert not failures.failed("10.0.0.1")
        clock.now += 6.0
    assert failures.blocked_for("10.0.0.1") == 0.0
