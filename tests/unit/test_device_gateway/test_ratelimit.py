"""Token buckets per source: burst, refill, independent keys, bounded memory, exemptions."""

from __future__ import annotations

import pytest

from device_gateway.errors import LocalProtocolError
from device_gateway.ratelimit import RateLimit, TokenBuckets, exempt_networks


def test_a_burst_is_allowed_and_the_next_message_is_refused() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=1, burst=3))
    assert [buckets.take("a", 0.0) for _ in range(4)] == [True, True, True, False]


def test_tokens_come_back_at_the_rate() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=2, burst=1))
    assert buckets.take("a", 0.0)
    assert not buckets.take("a", 0.25)
    assert buckets.take("a", 0.75)


def test_refill_never_exceeds_the_burst() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=10, burst=2))
    results = [buckets.take("a", 1000.0) for _ in range(3)]
    assert results == [True, True, False]


def test_each_key_has_its_own_bucket() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=1, burst=1))
    assert buckets.take("a", 0.0)
    assert not buckets.take("a", 0.0)
    assert buckets.take("b", 0.0)


def test_a_zero_rate_switches_limiting_off() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=0))
    assert all(buckets.take("a", 0.0) for _ in range(10_000))
    assert len(buckets) == 0


def test_refilled_buckets_are_forgotten_when_too_many_keys_are_held() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=1, burst=1, max_keys=2))
    buckets.take("a", 0.0)
    buckets.take("b", 0.0)
    buckets.take("c", 5.0)  # a and b have refilled by now: nothing to remember about them
    assert len(buckets) == 1


def test_busy_buckets_beyond_the_cap_drop_the_oldest() -> None:
    buckets = TokenBuckets(RateLimit(rate_per_s=1, burst=1, max_keys=2))
    for key in "abc":
        buckets.take(key, 0.0)
    assert len(buckets) == 2
    assert buckets.take("a", 0.0)  # forgotten, so it starts full again


def test_nonsense_limits_are_our_error() -> None:
    with pytest.raises(LocalProtocolError):
        RateLimit(rate_per_s=-1)
    with pytest.raises(LocalProtocolError):
        RateLimit(burst=0)


def test_exempt_networks_match_addresses_and_ignore_names() -> None:
    exempt = exempt_networks("127.0.0.0/8, ::1")
    assert exempt("127.0.0.9")
    assert exempt("::1")
    assert not exempt("10.1.2.3")
    assert not exempt("panel.example")
    assert not exempt_networks("")("127.0.0.1")


def test_a_bad_network_list_is_our_error() -> None:
    with pytest.raises(LocalProtocolError):
        exempt_networks("10.0.0.0/33")
