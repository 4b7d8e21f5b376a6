"""Supervision deadlines with an explicit clock: one offline, one restore, no flapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from device_gateway.supervision import LinkState, Supervisor, Watched

T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def supervisor(*watched: Watched, grace_s: float = 30) -> Supervisor:
    sup = Supervisor(grace_s=grace_s)
    sup.configure(watched, T0)
    return sup


def test_a_silent_device_goes_offline_once_after_interval_plus_grace() -> None:
    sup = supervisor(Watched(account="1", interval_s=180))
    assert sup.expired(at(210)) == []
    (change,) = sup.expired(at(211))
    assert (change.account, change.state, change.interval_s) == ("1", LinkState.OFFLINE, 180)
    assert sup.expired(at(500)) == []
    assert sup.expired(at(5000)) == []


def test_the_next_message_restores_it_once() -> None:
    sup = supervisor(Watched(account="1", interval_s=60))
    sup.expired(at(100))
    restore = sup.seen("1", at(120))
    assert restore is not None
    assert (restore.state, restore.last_seen) == (LinkState.ONLINE, at(120))
    assert sup.seen("1", at(121)) is None
    assert sup.state("1") is LinkState.ONLINE


def test_any_message_restarts_the_timer() -> None:
    sup = supervisor(Watched(account="1", interval_s=60), grace_s=0)
    for second in range(50, 500, 50):
        assert sup.seen("1", at(second)) is None
        assert sup.expired(at(second + 59)) == []
    assert [c.state for c in sup.expired(at(511))] == [LinkState.OFFLINE]


def test_unsupervised_and_unknown_accounts_are_ignored() -> None:
    sup = supervisor(Watched(account="1", interval_s=0))
    assert sup.seen("1", at(1)) is None
    assert sup.seen("2", at(1)) is None
    assert sup.expired(at(10**6)) == []
    assert sup.state("1") is None


def test_a_device_stored_offline_is_restored_by_its_first_message() -> None:
    sup = supervisor(Watched(account="1", interval_s=60, online=False))
    assert sup.expired(at(1000)) == []
    restore = sup.seen("1", at(1001))
    assert restore is not None
    assert restore.state is LinkState.ONLINE


def test_reconfiguring_keeps_state_and_applies_a_new_interval_from_the_last_message() -> None:
    sup = supervisor(Watched(account="1", interval_s=600), grace_s=0)
    sup.seen("1", at(10))
    sup.configure(
        [Watched(account="1", interval_s=60), Watched(account="2", interval_s=60)], at(20)
    )
    assert [c.account for c in sup.expired(at(71))] == ["1"]
    assert [c.account for c in sup.expired(at(81))] == ["2"]
    sup.configure([Watched(account="2", interval_s=60)], at(90))
    assert sup.state("1") is None
    assert sup.state("2") is LinkState.OFFLINE


def test_older_news_from_another_receiver_does_not_move_the_deadline_back() -> None:
    sup = supervisor(Watched(account="1", interval_s=60))
    assert sup.seen("1", at(50)) is None
    assert sup.seen("1", at(20)) is None  # stored by another node before our own message
    assert sup.expired(at(140)) == []  # still 50 + 60 + 30
    (change,) = sup.expired(at(141))
    assert change.last_seen == at(50)


def test_a_reset_starts_from_the_stored_states() -> None:
    sup = supervisor(Watched(account="1", interval_s=60))
    sup.configure([Watched(account="1", interval_s=60, online=False)], at(10))
    assert sup.state("1") is LinkState.ONLINE  # a plain refresh keeps what this node knows
    sup.configure([Watched(account="1", interval_s=60, online=False)], at(10), reset=True)
    assert sup.state("1") is LinkState.OFFLINE  # taking over: the database's word
    restore = sup.seen("1", at(11))
    assert restore is not None
    assert restore.state is LinkState.ONLINE
