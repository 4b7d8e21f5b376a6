import datetime as dt

from server.incidents.lifecycle import Status
from server.incidents.timeline import GENESIS_HASH, EntryFacts, entry_hash

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _facts(**changes: object) -> EntryFacts:
    base: dict[str, object] = {
        "incident_id": 1,
        "at": AT,
        "actor": "dispatcher:desk",
        "kind": "status",
        "to_status": Status.dispatched,
    }
    return EntryFacts(**(base | changes))  # type: ignore[arg-type]


def test_the_hash_is_stable_across_time_zones() -> None:
    tashkent = dt.timezone(dt.timedelta(hours=5))
    assert entry_hash(GENESIS_HASH, _facts()) == entry_hash(
        GENESIS_HASH, _facts(at=AT.astimezone(tashkent))
    )


def test_every_fact_and_the_previous_hash_change_the_hash() -> None:
    original = entry_hash(GENESIS_HASH, _facts())
    assert entry_hash("1" * 64, _facts()) != original
    for change in (
        {"actor": "x"},
        {"kind": "note"},
        {"data": {"a": 1}},
        {"to_status": Status.resolved},
        {"at": AT + dt.timedelta(microseconds=1)},
    ):
        assert entry_hash(GENESIS_HASH, _facts(**change)) != original, change
