"""The conflict rules are a join: any order, any duplicates, the same result."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import hlc
from sync.entities import EntityKind
from sync.errors import MutationRejectedError, RejectionCode
from sync.lattices import RANKS, Lattice, ReportStatus, rank
from sync.merge import (
    EntityState,
    FieldMerge,
    FieldStamp,
    Write,
    apply_write,
    join,
    merge_field,
    merge_stamps,
)
from sync.schema import FIELD_RULES, VOIDED, Rule
from tests.unit.test_sync.factories import DEVICE_A, DEVICE_B, REPORT, stamp

DEVICES = [uuid.UUID(int=n) for n in (1, 2, 3)]
ENTITY = REPORT
ALERTS = [str(uuid.UUID(int=0xA1E70 + n)) for n in range(4)]

report_values = st.fixed_dictionaries(
    {},
    optional={
        "narrative": st.sampled_from(["", "fight", "fire", "theft"]),
        "outcome": st.sampled_from([None, "crime_prevented", "medical"]),
        "status": st.sampled_from(list(ReportStatus)).map(str),
        "linked_alert_ids": st.lists(st.sampled_from(ALERTS), max_size=3),
        VOIDED: st.booleans(),
    },
)
writes = st.builds(
    Write,
    kind=st.just(EntityKind.INCIDENT_REPORT),
    entity_id=st.just(ENTITY),
    values=report_values,
    hlc=st.builds(hlc.pack, st.integers(1, 4), st.integers(0, 2)),
    device_id=st.sampled_from(DEVICES),
    base=st.dictionaries(st.sampled_from(["narrative", "outcome"]), st.integers(0, 5 << 16)),
)
states = st.lists(writes, min_size=1, max_size=4).map(lambda ws: replay(ws)[0])


def replay(sequence: Iterable[Write]) -> tuple[EntityState, list[object]]:
    state: EntityState | None = None
    conflicts: list[object] = []
    for write in sequence:
        result = apply_write(state, write)
        state = result.state
        conflicts.extend(conflict.key for conflict in result.conflicts)
    assert state is not None
    return state, conflicts


@settings(max_examples=60)
@given(st.lists(writes, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_replicas_receiving_the_same_writes_in_any_order_with_duplicates_converge(
    sequence: list[Write], rng: object
) -> None:
    shuffled = [*sequence, *sequence[: len(sequence) // 2]]
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert replay(sequence)[0] == replay(shuffled)[0]


@settings(max_examples=40)
@given(states, states)
def test_join_is_commutative(left: EntityState, right: EntityState) -> None:
    assert join(left, right) == join(right, left)


@settings(max_examples=40)
@given(states, states, states)
def test_join_is_associative(a: EntityState, b: EntityState, c: EntityState) -> None:
    assert join(join(a, b), c) == join(a, join(b, c))


@settings(max_examples=40)
@given(states)
def test_join_is_idempotent(state: EntityState) -> None:
    assert join(state, state) == state


@settings(max_examples=60)
@given(st.lists(writes, min_size=1, max_size=8))
def test_no_losing_value_vanishes_without_a_trace(sequence: list[Write]) -> None:
    result_state, _ = replay(sequence)
    kept: dict[str, list[bytes]] = {}
    state: EntityState | None = None
    for write in sequence:
        merged = apply_write(state, write)
        state = merged.state
        for conflict in merged.conflicts:
            kept.setdefault(conflict.field, []).append(repr(conflict.losing.value).encode())
    for field in ("narrative", "outcome"):
        final = result_state.fields.get(field)
        for write in sequence:
            if field not in write.values or final is None:
                continue
            value = write.values[field]
            seen_by_a_later_write = any(other.base.get(field) == write.hlc for other in sequence)
            assert (
                value == final.value
                or repr(value).encode() in kept.get(field, [])
                or seen_by_a_later_write
            )


@settings(max_examples=60)
@given(st.lists(writes, min_size=1, max_size=8))
def test_report_status_never_goes_backwards(sequence: list[Write]) -> None:
    state: EntityState | None = None
    highest = -1
    for write in sequence:
        state = apply_write(state, write).state
        if "status" in state.fields:
            now = rank(Lattice.REPORT_STATUS, state.fields["status"].value)
            assert now >= highest
            highest = now


@settings(max_examples=60)
@given(st.lists(writes, min_size=1, max_size=8))
def test_linked_alerts_are_the_union_of_every_write(sequence: list[Write]) -> None:
    state, _ = replay(sequence)
    written = {a for w in sequence for a in w.values.get("linked_alert_ids", [])}  # type: ignore[attr-defined]
    linked = state.fields.get("linked_alert_ids")
    assert set(linked.value if linked else []) == written  # type: ignore[call-overload]


def _merge(
    current: FieldStamp,
    incoming: FieldStamp,
    field: str = "narrative",
    kind: EntityKind = EntityKind.INCIDENT_REPORT,
) -> EntityState:
    first = merge_stamps(None, kind, ENTITY, {field: current}).state
    return merge_stamps(first, kind, ENTITY, {field: incoming}).state


def test_later_stamp_wins_a_scalar_and_the_loser_is_kept_as_a_conflict() -> None:
    older, newer = stamp("fight", 1), stamp("fire", 2, DEVICE_B)
    first = merge_stamps(None, EntityKind.INCIDENT_REPORT, ENTITY, {"narrative": newer}).state
    result = merge_stamps(first, EntityKind.INCIDENT_REPORT, ENTITY, {"narrative": older})
    assert result.state.fields["narrative"] == newer
    assert [c.losing for c in result.conflicts] == [older]
    assert result.changed == {}


def test_equal_stamps_are_won_by_the_higher_device_id() -> None:
    assert _merge(stamp("a", 1, DEVICE_B), stamp("b", 1, DEVICE_A)).fields["narrative"].value == "a"


def test_an_edit_made_on_top_of_the_value_it_replaces_is_not_a_conflict() -> None:
    older = stamp("fight", 1)
    edit = stamp("fight, two detained", 2, DEVICE_B, base_hlc=older.hlc)
    first = merge_stamps(None, EntityKind.INCIDENT_REPORT, ENTITY, {"narrative": older}).state
    result = merge_stamps(first, EntityKind.INCIDENT_REPORT, ENTITY, {"narrative": edit})
    assert result.conflicts == []
    assert result.changed == {"narrative": edit}


def test_a_stale_draft_cannot_pull_a_status_lattice_back_from_submitted() -> None:
    submitted, draft = stamp("submitted", 1), stamp("draft", 9, DEVICE_B)
    merged = merge_field("status", Rule.REPORT_STATUS, submitted, draft)
    assert merged == FieldMerge(winner=submitted)


def test_the_servers_later_write_of_an_incident_wins_even_when_it_moves_the_status_back() -> None:
    en_route = stamp("en_route", 1)
    redispatched = stamp("dispatched", 2, base_hlc=en_route.hlc)
    first = merge_stamps(None, EntityKind.INCIDENT, ENTITY, {"status": en_route}).state
    result = merge_stamps(first, EntityKind.INCIDENT, ENTITY, {"status": redispatched})
    assert result.state.fields["status"] == redispatched
    assert result.conflicts == []


def test_the_report_lattice_orders_every_report_status_each_on_its_own_rank() -> None:
    ranks = RANKS[Lattice.REPORT_STATUS]
    workflow = ["draft", "submitted", "reviewed"]
    assert [ranks[s] for s in workflow] == sorted(set(ranks.values()))
    assert set(ranks) == {str(s) for s in ReportStatus}


def test_every_lattice_gives_each_value_its_own_rank() -> None:
    for lattice, ranks in RANKS.items():
        assert len(set(ranks.values())) == len(ranks), lattice


def test_a_value_outside_the_lattice_is_refused() -> None:
    with pytest.raises(ValueError, match="not a report_status"):
        rank(Lattice.REPORT_STATUS, "approved")


def test_a_different_value_for_an_immutable_fact_is_rejected_and_changes_nothing() -> None:
    original = stamp("ab" * 32, 1)
    state = merge_stamps(None, EntityKind.RECORDING, ENTITY, {"sha256": original}).state
    with pytest.raises(MutationRejectedError) as raised:
        merge_stamps(state, EntityKind.RECORDING, ENTITY, {"sha256": stamp("cd" * 32, 2)})
    assert raised.value.rejection_code is RejectionCode.IMMUTABLE_FIELD
    assert state.fields["sha256"] == original


def test_the_same_immutable_fact_sent_again_keeps_the_earliest_stamp_in_any_order() -> None:
    first, again = stamp("ab" * 32, 5), stamp("ab" * 32, 1, DEVICE_B)
    assert _merge(first, again, "sha256", EntityKind.RECORDING).fields["sha256"] == again
    assert _merge(again, first, "sha256", EntityKind.RECORDING).fields["sha256"] == again


def test_a_field_the_entity_does_not_have_is_rejected() -> None:
    with pytest.raises(MutationRejectedError, match="no field colour"):
        merge_stamps(None, EntityKind.INCIDENT_REPORT, ENTITY, {"colour": stamp("red", 1)})


def test_voiding_something_that_does_not_exist_is_rejected() -> None:
    void = Write(
        kind=EntityKind.REPORT_NOTE,
        entity_id=ENTITY,
        values={VOIDED: True},
        hlc=1,
        device_id=DEVICE_A,
        must_exist=True,
    )
    with pytest.raises(MutationRejectedError) as raised:
        apply_write(None, void)
    assert raised.value.rejection_code is RejectionCode.NOT_FOUND


def test_an_edit_never_resurrects_a_voided_report_but_a_later_restore_does() -> None:
    voided = merge_stamps(None, EntityKind.INCIDENT_REPORT, ENTITY, {VOIDED: stamp(True, 5)}).state
    edited = merge_stamps(voided, EntityKind.INCIDENT_REPORT, ENTITY, {"narrative": stamp("x", 9)})
    assert edited.state.fields[VOIDED].value is True
    restored = merge_stamps(
        edited.state, EntityKind.INCIDENT_REPORT, ENTITY, {VOIDED: stamp(False, 7)}
    )
    assert restored.state.fields[VOIDED].value is False
    stale = merge_stamps(voided, EntityKind.INCIDENT_REPORT, ENTITY, {VOIDED: stamp(False, 3)})
    assert stale.state.fields[VOIDED].value is True


def test_every_append_only_row_is_immutable_apart_from_its_void_flag() -> None:
    for kind in (EntityKind.REPORT_NOTE, EntityKind.DETENTION, EntityKind.CREW_STATUS):
        rules = FIELD_RULES[kind]
        assert rules[VOIDED] is Rule.LWW
        assert {r for f, r in rules.items() if f != VOIDED} == {Rule.IMMUTABLE}
