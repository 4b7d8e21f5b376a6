"""What a socket's client may make the server do (server/sockets/pacing.py), clock in hand."""

from __future__ import annotations

import pytest

from server.sockets.pacing import Receipts, Spacing, TokenBucket


def test_a_bucket_lets_a_burst_through_then_only_its_rate() -> None:
    bucket = TokenBucket(rate_per_s=20.0, burst=100, now_s=0.0)
    assert all(bucket.take(0.0) for _ in range(100))
    assert not bucket.take(0.0)
    assert bucket.take(0.05)  # one more twentieth of a second later
    assert not bucket.take(0.05)


def test_a_bucket_refills_no_higher_than_its_burst() -> None:
    bucket = TokenBucket(rate_per_s=20.0, burst=10, now_s=0.0)
    assert [bucket.take(3600.0) for _ in range(11)] == [True] * 10 + [False]


def test_a_refused_message_spends_nothing() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1, now_s=0.0)
    assert bucket.take(0.0)
    assert not bucket.take(0.5)
    assert bucket.take(1.0)


def test_spacing_lets_one_through_per_interval() -> None:
    spacing = Spacing(interval_s=0.25)
    assert [spacing.due(t) for t in (0.0, 0.1, 0.24, 0.25, 0.3, 0.6)] == [
        True,
        False,
        False,
        True,
        False,
        True,
    ]


def _sent(receipts: Receipts, *dispatches: int, up_to: int) -> None:
    for seq in range(1, up_to + 1):
        receipts.sent(seq, is_dispatch=seq in dispatches)


def test_an_ack_covers_every_dispatch_sent_up_to_it() -> None:
    """A dispatch acked in the same breath as a later event keeps its receipt."""
    receipts = Receipts(interval_s=0.5)
    _sent(receipts, 2, 4, up_to=6)
    receipts.acked(5)
    assert receipts.owed() == [2, 4]


def test_an_ack_beyond_what_was_sent_acknowledges_only_what_was_sent() -> None:
    receipts = Receipts(interval_s=0.5)
    _sent(receipts, 3, up_to=3)
    receipts.acked(10**9)
    receipts.sent(4, is_dispatch=True)  # sent after the ack: not acknowledged by it
    assert receipts.owed() == [3]
    receipts.acked(4)
    assert receipts.owed() == [3, 4]


def test_a_receipt_stays_owed_until_it_is_written() -> None:
    receipts = Receipts(interval_s=0.5)
    _sent(receipts, 1, 2, up_to=2)
    receipts.acked(2)
    receipts.written(1)
    assert receipts.owed() == [2]
    receipts.written(2)
    assert receipts.owed() == []


def test_writes_start_at_most_once_per_interval() -> None:
    receipts = Receipts(interval_s=0.5)
    assert receipts.due(10.0)
    receipts.writing(10.0)
    assert not receipts.due(10.2)
    assert receipts.wait_s(10.2) == pytest.approx(0.3)
    assert receipts.due(10.5)


def test_only_a_first_ack_of_an_event_sent_advances() -> None:
    """Those acks are free of the budget: there are only as many as events sent."""
    receipts = Receipts(interval_s=0.5)
    receipts.start_after(100)  # the welcome's head: events from 101 on are this socket's
    assert not receipts.advances(100)
    assert not receipts.advances(101)  # not sent yet
    receipts.sent(101, is_dispatch=False)
    assert receipts.advances(101)
    assert receipts.advances(10**9)  # clamped to 101, which is still new
    receipts.acked(101)
    assert not receipts.advances(101)
    assert not receipts.advances(10**9)
