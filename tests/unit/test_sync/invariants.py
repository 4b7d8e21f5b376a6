"""What must hold once a simulated world has healed and synced to the end."""

from __future__ import annotations

import uuid

from sync.entities import EntityKind
from sync.merge import canonical
from sync.messages import Applied, Rejected
from sync.mutations import CrewStatusRecordV1, IncidentReportUpsertV1
from tests.unit.test_sync.simulation import World


def check_invariants(world: World) -> None:
    server = world.store.entities()
    results = world.store.results()
    by_id = {result.mutation_id: result for result in results.values()}
    for tablet in world.tablets:
        assert not tablet.queue, "a tablet's queue did not drain"
        assert tablet.confirmed == server, "a tablet disagrees with the server"
        for mutation in tablet.created:
            result = results.get((tablet.device_id, mutation.client_seq))
            assert result is not None, "an acknowledged write was lost"
            assert result.mutation_id == mutation.mutation_id
            assert (mutation.mutation_id in tablet.rejected) == isinstance(result, Rejected)
    assert len(by_id) == len(results), "a mutation was applied twice"
    _check_exactly_once(world, by_id)
    _check_last_writer_won(world, by_id)


def _check_exactly_once(world: World, by_id: dict[uuid.UUID, Applied | Rejected]) -> None:
    events = [
        m
        for t in world.tablets
        for m in t.created
        if isinstance(m, CrewStatusRecordV1) and isinstance(by_id[m.mutation_id], Applied)
    ]
    rows = [k for k in world.store.entities() if k[0] is EntityKind.CREW_STATUS]
    assert len(rows) == len(events), "crew status events were duplicated or lost"


def _check_last_writer_won(world: World, by_id: dict[uuid.UUID, Applied | Rejected]) -> None:
    winners: dict[uuid.UUID, tuple[tuple[int, int, bytes, int], object]] = {}
    for tablet in world.tablets:
        for mutation in tablet.created:
            result = by_id[mutation.mutation_id]
            if not isinstance(mutation, IncidentReportUpsertV1) or not isinstance(result, Applied):
                continue
            narrative: object = mutation.fields.narrative
            base_hlc = mutation.base.get("narrative", 0)
            key = (result.effective_hlc, tablet.device_id.int, canonical(narrative), base_hlc)
            best = winners.get(mutation.entity_id)
            if best is None or key > best[0]:
                winners[mutation.entity_id] = (key, narrative)
    entities = world.store.entities()
    for report, (_, narrative) in winners.items():
        state = entities[(EntityKind.INCIDENT_REPORT, report)]
        assert state.fields["narrative"].value == narrative, "the latest write did not win"
