import datetime as dt

from server.chain import GENESIS_HASH
from server.incidents.timeline import CHAIN, EntryFacts
from sync.lattices import IncidentStatus

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _facts(**changes: object) -> EntryFacts:
    base: dict[str, object] = {
        "incident_id": 1,
        "at": AT,
        "actor": "dispatcher:desk",
        "kind": "status",
        "to_status": IncidentStatus.DISPATCHED,
    }
    return EntryFacts(**(base | changes))  # type: ignore[arg-type]


def test_the_hash_is_stable_across_time_zones() -> None:
    tashkent = dt.timezone(dt.timedelta(hours=5))
    assert CHAIN.link(GENESIS_HASH, _facts()) == CHAIN.link(
        GENESIS_HASH, _facts(at=AT.astimezone(tashkent))
    )


def test_every_fact_and_the_previous_hash_change_the_hash() -> None:
    original = CHAIN.link(GENESIS_HASH, _facts())
    assert CHAIN.link("1" * 64, _facts()) != original
    for change in (
        {"incident_id": 2},
        {"actor": "x"},
        {"kind": "note"},
        {"data": {"a": 1}},
        {"from_status": IncidentStatus.NEW},
        {"to_status": IncidentStatus.RESOLVED},
        {"device_at": AT},
        {"at": AT + dt.timedelta(microseconds=1)},
    ):
        assert CHAIN.link(GENESIS_HASH, _facts(**change)) != original, change
