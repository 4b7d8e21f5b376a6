"""Pushing over HTTP with the real client: exactly once, replayed retries, gaps, limits."""

from __future__ import annotations

import msgspec
import pytest

from server.db import Database
from sync.entities import EntityKind, IncidentReportFields, ReportNoteFields
from sync.errors import UnreachableError
from sync.http_transport import HttpTransport
from sync.lattices import IncidentStatus
from sync.messages import FIRST_SCHEMA_VERSION, SCHEMA_VERSION, PushRequest
from sync.mutations import ReportNoteAddV1
from sync.wire import decode_push_response, encode
from tests.integration.live import Live
from tests.integration.test_sync.support import (
    Tablets,
    api,
    dispatched_crew,
    new_report,
    record_status,
    utc_ms,
)

pytestmark = pytest.mark.integration

NOW_MS = 1_780_000_000_000


class LosesFirstPushResponse(HttpTransport):
    """The first push reaches the server and is applied, but its answer never comes back."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, token)
        self.replies: list[bytes] = []
        self.lost = 0

    async def push(self, body: bytes) -> bytes:
        reply = await super().push(body)
        self.replies.append(reply)
        if self.lost == 0:
            self.lost += 1
            raise UnreachableError("the connection dropped before the answer arrived")
        return reply


async def count(db: Database, sql: str, *args: object) -> int:
    row = await db.fetch_one(sql, *args)
    assert row is not None
    return int(next(iter(row.values())))


async def test_a_long_offline_queue_arrives_exactly_once_and_another_tablet_sees_it(
    live: Live, db: Database, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    first = tablets.open(crew.crew_token, "a")
    reports = [new_report(first, crew, f"report {n}") for n in range(60)]
    for n, report in enumerate(reports * 3):
        first.edit_report(report.entity_id, IncidentReportFields(narrative=f"edit {n}"))
        note = ReportNoteFields(
            report_id=report.entity_id,
            author_id=first.device_id,
            body=f"note {n}",
            written_at=utc_ms(NOW_MS),
        )
        first.enqueue(ReportNoteAddV1, entity_id=first.new_id(), fields=note)
    queued = first.store.pending_count()
    assert queued == 60 + 180 * 2

    await first.sync()
    await first.sync()  # a second round sends and applies nothing more

    assert first.store.pending_count() == 0
    assert first.rejected() == []
    results = "SELECT COUNT(*) AS n FROM sync_results WHERE device_id = {}"
    assert await count(db, results, str(first.device_id)) == queued
    notes = "SELECT COUNT(*) AS n FROM sync_entities WHERE kind = 'report_note'"
    assert await count(db, notes) == 180
    second = tablets.open(crew.crew_token, "b")
    await second.sync()
    assert second.store.all_confirmed() == first.store.all_confirmed()
    shown = first.get(EntityKind.INCIDENT_REPORT, reports[-1].entity_id)
    assert shown is not None
    assert shown.fields["narrative"].value == "edit 179"


async def test_a_push_whose_answer_was_lost_is_replayed_from_the_stored_results(
    live: Live, db: Database, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    transport = LosesFirstPushResponse(live.http, crew.crew_token)
    client = tablets.open(crew.crew_token, "a", transport)
    report = new_report(client, crew, "first version")
    refused = record_status(client, crew, IncidentStatus.NEW, utc_ms(NOW_MS))  # backwards

    with pytest.raises(UnreachableError):
        await client.push()
    assert client.store.pending_count() == 2  # the device cannot know it was applied
    await client.push()

    replayed = decode_push_response(transport.replies[1])
    assert [type(r).__name__ for r in replayed.results] == ["Duplicate", "Duplicate"]
    inbox = client.rejected()
    assert [(r.mutation.mutation_id, r.code) for r in inbox] == [
        (refused.mutation_id, "invalid_transition")
    ]
    results = "SELECT COUNT(*) AS n FROM sync_results WHERE device_id = {}"
    assert await count(db, results, str(client.device_id)) == 2
    reports = "SELECT COUNT(*) AS n FROM sync_entities WHERE kind = 'incident_report'"
    assert await count(db, reports) == 1
    shown = client.get(EntityKind.INCIDENT_REPORT, report.entity_id)
    assert shown is not None
    assert shown.fields["narrative"].value == "first version"


async def test_a_hole_in_the_sequence_gets_409_gap_and_the_client_renumbers_and_recovers(
    live: Live, db: Database, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    client = tablets.open(crew.crew_token, "a")
    kept = [new_report(client, crew, f"report {n}") for n in range(3)]
    # The user discarded the second edit before it was sent: its seq is never coming.
    client.store._db.execute("DELETE FROM queue WHERE client_seq = 2")
    fresh = tablets.open(crew.crew_token, "raw")
    body = encode(
        PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=fresh.device_id,
            device_wall_ms=NOW_MS,
            mutations=[msgspec.structs.replace(kept[2], client_seq=5)],
        )
    )
    async with api(live, crew.crew_token) as http:
        refused = await http.post("/sync/v1/push", content=body)

    await client.sync()

    assert refused.status_code == 409
    assert refused.json() | {"detail": ""} == {"code": "gap", "expected": 1, "detail": ""}
    assert client.store.pending_count() == 0
    assert client.rejected() == []
    last = "SELECT last_seq AS n FROM sync_devices WHERE device_id = {}"
    assert await count(db, last, str(client.device_id)) == 2
    reports = {key[1] for key in client.store.all_confirmed() if key[0] is not EntityKind.INCIDENT}
    assert reports == {kept[0].entity_id, kept[2].entity_id}


async def test_a_push_over_the_limits_gets_413_with_the_limits_and_the_client_halves_its_batch(
    live: Live, db: Database, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    client = tablets.open(crew.crew_token, "a", batch_size=450)
    reports = [new_report(client, crew, "x" * 3000) for _ in range(450)]
    body = encode(
        PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=client.device_id,
            device_wall_ms=NOW_MS,
            mutations=list(client.store.pending(201)),
        )
    )
    async with api(live, crew.crew_token) as http:
        refused = await http.post("/sync/v1/push", content=body)

    await client.sync()

    assert refused.status_code == 413
    assert refused.json()["code"] == "too_large"
    assert refused.json()["limits"] == {"max_mutations": 200, "max_bytes": 1024 * 1024}
    assert client.store.pending_count() == 0
    applied = "SELECT COUNT(*) AS n FROM sync_results WHERE device_id = {} AND status = 'applied'"
    assert await count(db, applied, str(client.device_id)) == len(reports)


async def test_a_schema_version_below_the_first_gets_400_and_nothing_is_applied(
    live: Live, db: Database, tablets: Tablets
) -> None:
    """No version below the first ever existed: that is a malformed request, not an old app
    (the 426 for a real version older than N-2 is tested on the rule itself, tests/unit)."""
    crew = await dispatched_crew(live)
    client = tablets.open(crew.crew_token, "a")
    new_report(client, crew, "from an old app")
    body = encode(
        PushRequest(
            schema_version=FIRST_SCHEMA_VERSION - 1,
            device_id=client.device_id,
            device_wall_ms=NOW_MS,
            mutations=client.store.pending(10),
        )
    )
    async with api(live, crew.crew_token) as http:
        refused = await http.post("/sync/v1/push", content=body)

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_message"
    assert "versions start at 1" in refused.json()["detail"]
    assert await count(db, "SELECT COUNT(*) AS n FROM sync_results") == 0


async def test_a_device_id_belongs_to_the_crew_that_first_pushed_with_it(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    other = await dispatched_crew(live, "Bravo")
    client = tablets.open(crew.crew_token, "a")
    new_report(client, crew, "ours")
    await client.sync()
    body = encode(
        PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=client.device_id,
            device_wall_ms=NOW_MS,
            mutations=[],
        )
    )
    async with api(live, other.crew_token) as http:
        pushed = await http.post("/sync/v1/push", content=body)
        pulled = await http.post(
            "/sync/v1/pull",
            content=b'{"schema_version":1,"device_id":"%s"}' % str(client.device_id).encode(),
        )
    assert (pushed.status_code, pushed.json()["code"]) == (403, "device_not_yours")
    assert (pulled.status_code, pulled.json()["code"]) == (403, "device_not_yours")
