"""The push engine: exactly once, no holes, and no queue stuck behind a bad mutation."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import pytest

from sync import hlc
from sync.entities import EntityKind
from sync.errors import LocalError, MutationRejectedError, RejectionCode, SequenceGapError
from sync.lattices import IncidentStatus
from sync.memory_store import MemoryStore
from sync.merge import EntityState
from sync.messages import Applied, Duplicate, PushResponse, Rejected
from sync.mutations import AnyMutation, EntityRestoreV1, EntityVoidV1, Receipt
from sync.rules import PushContext, apply_push
from sync.schema import CLOCK_OFFSET_MS, SERVER_RECEIVED_AT_MS, VOIDED
from sync.wire import batch_of
from tests.unit.test_sync.factories import (
    BASE_MS,
    INCIDENT,
    REPORT,
    crew_status,
    ident,
    push,
    recording_create,
    upsert,
)


def everything(state: EntityState) -> Sequence[str]:
    return ["all"]


def context(allowed: frozenset[str] | None = None) -> PushContext:
    return PushContext(
        server_now_ms=BASE_MS, server_hlc=0, scopes_of=everything, allowed_scopes=allowed
    )


async def send(store: MemoryStore, *mutations: AnyMutation, wall_ms: int = 0) -> PushResponse:
    return await apply_push(store, batch_of(push(*mutations, wall_ms=wall_ms)), context())


async def test_a_resent_batch_replays_the_stored_results_and_applies_nothing_twice() -> None:
    store = MemoryStore()
    first = await send(store, upsert(1, "fight"), upsert(2, "fire"))
    again = await send(store, upsert(1, "fight"), upsert(2, "fire"))
    assert [type(r) for r in first.results] == [Applied, Applied]
    assert again.results == [
        Duplicate(client_seq=1, original=first.results[0]),  # type: ignore[arg-type]
        Duplicate(client_seq=2, original=first.results[1]),  # type: ignore[arg-type]
    ]
    assert len(await store.read_changes("all", 0, 100)) == 2
    assert again.last_seq == 2


async def test_a_batch_that_skips_a_seq_is_refused_whole_with_the_expected_seq() -> None:
    store = MemoryStore()
    await send(store, upsert(1))
    with pytest.raises(SequenceGapError) as raised:
        await send(store, upsert(2), upsert(4))
    assert raised.value.expected == 3
    assert (await store.get_device_state(push().device_id)).last_seq == 1


async def test_a_permanent_rejection_advances_the_sequence_so_later_mutations_apply() -> None:
    store = MemoryStore()
    recording = ident(0xC0)
    response = await send(
        store,
        recording_create(1, recording, "ab" * 32),
        recording_create(2, recording, "cd" * 32),
        upsert(3),
    )
    rejected = response.results[1]
    assert isinstance(rejected, Rejected)
    assert rejected.code == RejectionCode.IMMUTABLE_FIELD
    assert isinstance(response.results[2], Applied)
    assert response.last_seq == 3
    assert store.results()[(push().device_id, 2)] == rejected


async def test_a_reused_seq_with_a_different_mutation_is_rejected_visibly() -> None:
    store = MemoryStore()
    await send(store, upsert(1, "fight"))
    reused = msgspec.structs.replace(upsert(2, "other"), client_seq=1)
    response = await send(store, reused)
    assert isinstance(response.results[0], Rejected)
    assert response.results[0].code == RejectionCode.SEQUENCE_REUSED


async def test_a_far_future_device_stamp_is_clamped_and_the_offset_reported() -> None:
    store = MemoryStore()
    three_hours_ms = 3 * 3600 * 1000
    far_future = hlc.pack(BASE_MS + three_hours_ms, 0)
    recording = msgspec.structs.replace(recording_create(1, ident(0xC1)), hlc=far_future)
    response = await send(store, recording, wall_ms=three_hours_ms)
    applied = response.results[0]
    assert isinstance(applied, Applied)
    assert hlc.unpack(applied.effective_hlc)[0] == BASE_MS + hlc.DEFAULT_MAX_AHEAD_MS
    assert response.server_hlc == applied.effective_hlc
    assert response.clamped
    assert response.clock_offset_ms == three_hours_ms
    state = await store.load_entity(EntityKind.RECORDING, ident(0xC1))
    assert state is not None
    assert state.fields[CLOCK_OFFSET_MS].value == three_hours_ms
    assert state.fields[SERVER_RECEIVED_AT_MS].value == BASE_MS


async def test_a_crew_status_change_is_an_event_and_the_incident_is_the_servers() -> None:
    store = MemoryStore()
    await send(
        store, crew_status(1, IncidentStatus.ON_SCENE), crew_status(2, IncidentStatus.EN_ROUTE)
    )
    assert await store.load_entity(EntityKind.INCIDENT, INCIDENT) is None
    event = await store.load_entity(EntityKind.CREW_STATUS, ident(0x5002))
    assert event is not None
    assert event.fields["status"].value == "en_route"
    assert event.fields["device_time"].value == "2025-10-09T08:53:20Z"


async def test_void_and_restore_are_mutations_on_an_existing_entity() -> None:
    store = MemoryStore()
    kind = EntityKind.INCIDENT_REPORT
    void = EntityVoidV1(
        mutation_id=ident(1),
        client_seq=2,
        hlc=hlc.pack(BASE_MS + 5, 0),
        entity_id=REPORT,
        entity=kind,
    )
    restore = EntityRestoreV1(
        mutation_id=ident(2),
        client_seq=3,
        hlc=hlc.pack(BASE_MS + 6, 0),
        entity_id=REPORT,
        entity=kind,
    )
    await send(store, upsert(1), void)
    state = await store.load_entity(EntityKind.INCIDENT_REPORT, REPORT)
    assert state is not None
    assert state.fields[VOIDED].value is True
    await send(store, restore)
    state = await store.load_entity(EntityKind.INCIDENT_REPORT, REPORT)
    assert state is not None
    assert state.fields[VOIDED].value is False


async def test_writing_outside_the_allowed_scopes_is_rejected() -> None:
    store = MemoryStore()
    ctx = context(allowed=frozenset({"crew:7"}))
    response = await apply_push(store, batch_of(push(upsert(1))), ctx)
    assert isinstance(response.results[0], Rejected)
    assert response.results[0].code == RejectionCode.SCOPE_FORBIDDEN
    assert await store.load_entity(EntityKind.INCIDENT_REPORT, REPORT) is None


class FailingStore(MemoryStore):
    """Fails when appending a change, after the entity was saved."""

    async def append_change(self, *args: object, **kwargs: object) -> int:
        raise LocalError("disk full")


async def test_a_storage_failure_advances_nothing_and_leaves_nothing_behind() -> None:
    store = FailingStore()
    with pytest.raises(LocalError):
        await send(store, upsert(1))
    assert (await store.get_device_state(push().device_id)).last_seq == 0
    assert await store.load_entity(EntityKind.INCIDENT_REPORT, REPORT) is None


async def test_writes_clamped_in_one_batch_keep_distinct_stamps_in_device_order() -> None:
    store = MemoryStore()
    ahead = hlc.pack(BASE_MS + 3 * 3600 * 1000, 0)
    first = msgspec.structs.replace(upsert(1, "first"), hlc=ahead)
    second = msgspec.structs.replace(upsert(2, "second"), hlc=ahead + 1)
    response = await send(store, first, second)
    stamps = [r.effective_hlc for r in response.results if isinstance(r, Applied)]
    assert len(stamps) == 2
    assert stamps[0] < stamps[1]
    state = await store.load_entity(EntityKind.INCIDENT_REPORT, REPORT)
    assert state is not None
    assert state.fields["narrative"].value == "second"


async def test_the_servers_own_rules_can_reject_a_mutation_before_anything_is_written() -> None:
    store = MemoryStore()
    seen: list[int] = []

    async def refuse_status_changes(mutation: AnyMutation, receipt: Receipt) -> None:
        seen.append(mutation.client_seq)
        if mutation.client_seq == 1:
            raise MutationRejectedError(RejectionCode.INVALID_TRANSITION, "not from dispatched")

    ctx = msgspec.structs.replace(context(), on_apply=refuse_status_changes)
    response = await apply_push(
        store, batch_of(push(crew_status(1, IncidentStatus.NEW), upsert(2))), ctx
    )
    refused, applied = response.results
    assert isinstance(refused, Rejected)
    assert refused.code == RejectionCode.INVALID_TRANSITION
    assert isinstance(applied, Applied)
    assert seen == [1, 2]
    assert response.last_seq == 2
    assert (EntityKind.INCIDENT, INCIDENT) not in store.entities()


async def test_the_servers_own_rules_never_see_a_mutation_outside_the_scopes() -> None:
    store = MemoryStore()
    seen: list[int] = []

    async def record(mutation: AnyMutation, receipt: Receipt) -> None:
        seen.append(mutation.client_seq)

    ctx = msgspec.structs.replace(context(frozenset({"elsewhere"})), on_apply=record)
    response = await apply_push(store, batch_of(push(upsert(1))), ctx)
    assert isinstance(response.results[0], Rejected)
    assert seen == []
