"""Scopes follow the crew's assignment; snapshots resume; recordings keep their facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from server.auth.schemas import Role
from sync.entities import EntityKind
from sync.errors import UnreachableError
from sync.http_transport import HttpTransport
from sync.lattices import IncidentStatus
from sync.messages import SnapshotRequest
from sync.mutations import RecordingCreateV1, RecordingUpdateV1
from sync.recordings import RecordingCurated, RecordingFacts
from sync.server_ids import crew_uuid, incident_uuid
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew, dispatch
from tests.integration.test_sync.support import (
    Tablets,
    api,
    dispatched_crew,
    new_report,
    record_status,
)

pytestmark = pytest.mark.integration


class CutsSnapshots(HttpTransport):
    """Snapshot streams break after their first page until ``cuts`` runs out."""

    def __init__(self, base_url: str, token: str, cuts: int) -> None:
        super().__init__(base_url, token)
        self.cuts = cuts
        self.requests: list[SnapshotRequest] = []

    async def snapshot(self, request: SnapshotRequest) -> AsyncIterator[bytes]:
        self.requests.append(request)
        lines = 0
        async for line in super().snapshot(request):
            if lines == 1 and self.cuts > 0:
                self.cuts -= 1
                raise UnreachableError("the link dropped mid-snapshot")
            lines += 1
            yield line


async def test_an_incident_moved_to_another_crew_is_evicted_there_and_reset_here(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    first = tablets.open(crew.crew_token, "first")
    report = new_report(first, crew, "started by the first crew").entity_id
    record_status(first, crew, IncidentStatus.EN_ROUTE, dt.datetime.now(dt.UTC))
    await first.sync()
    incident_scope = f"incident:{crew.incident_id}"
    assert incident_scope in first.store.cursors()
    other_crew = await create_crew(live, crew.admin, "Second", 39.6, 66.9)
    await dispatch(live, crew.dispatcher, crew.incident_id, other_crew)
    second = tablets.open(await live.token(Role.CREW, other_crew), "second")

    await first.sync()
    await second.sync()

    assert incident_scope not in first.store.cursors()
    assert first.store.confirmed(EntityKind.INCIDENT, incident_uuid(crew.incident_id)) is None
    assert first.store.confirmed(EntityKind.INCIDENT_REPORT, report) is not None  # crew scope
    assert incident_scope in second.store.cursors()
    taken_over = second.store.confirmed(EntityKind.INCIDENT_REPORT, report)
    assert taken_over is not None
    assert taken_over.fields["narrative"].value == "started by the first crew"
    status = second.store.confirmed(EntityKind.INCIDENT, incident_uuid(crew.incident_id))
    assert status is not None
    # The incident as the server has it now: dispatched again, to the second crew.
    assert status.fields["status"].value == "dispatched"
    assert status.fields["crew_id"].value == str(crew_uuid(other_crew))


async def test_a_snapshot_cut_short_resumes_after_the_last_row_it_kept(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    writer = tablets.open(crew.crew_token, "writer")
    for n in range(25):
        new_report(writer, crew, f"report {n}")
    await writer.sync()
    transport = CutsSnapshots(live.http, crew.crew_token, cuts=2)
    reader = tablets.open(crew.crew_token, "reader", transport, page_limit=10)

    for _ in range(2):
        with pytest.raises(UnreachableError):
            await reader.sync()
    await reader.sync()

    assert reader.store.all_confirmed() == writer.store.all_confirmed()
    resumed = [r.after_id for r in transport.requests if r.scope == f"crew:{crew.crew_id}"]
    assert len(resumed) == 3
    assert resumed[0] is None
    assert None not in resumed[1:]
    assert reader.store.snapshot_tasks() == []


async def test_a_scope_a_caller_may_not_read_is_refused_with_403(live: Live) -> None:
    crew = await dispatched_crew(live)
    params: dict[str, str | int] = {
        "scope": "crew:999999",
        "device_id": str(crew.crew_uuid),
        "schema_version": 1,
    }
    async with api(live, crew.crew_token) as http:
        refused = await http.get("/sync/v1/snapshot", params=params)
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope_forbidden"


def facts(sha256: str) -> RecordingFacts:
    start = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    return RecordingFacts(
        device_id=incident_uuid(1),
        device_serial="BWC-17",
        recorded_start=start,
        recorded_stop=start + dt.timedelta(minutes=4),
        duration_s=240.0,
        device_clock_time=start,
        file_name="BWC-17-0001.mp4",
        size_bytes=734_003_200,
        sha256=sha256,
    )


async def test_recording_facts_are_immutable_and_curated_fields_editable(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    station = tablets.open(await live.token(Role.UPLOAD_STATION), "station")
    recording = station.new_id()
    station.enqueue(RecordingCreateV1, entity_id=recording, facts=facts("ab" * 32))
    tampered = station.enqueue(RecordingCreateV1, entity_id=recording, facts=facts("cd" * 32))
    curated = RecordingCurated(title="Market stop", incident_id=crew.incident_uuid)
    station.enqueue(RecordingUpdateV1, entity_id=recording, fields=curated)
    report = new_report(station, crew, "a station may not write reports")

    await station.sync()
    crew_tablet = tablets.open(crew.crew_token, "crew")
    await crew_tablet.sync()

    assert sorted((r.mutation.mutation_id, r.code) for r in station.rejected()) == sorted(
        [(tampered.mutation_id, "immutable_field"), (report.mutation_id, "scope_forbidden")]
    )
    kept = station.get(EntityKind.RECORDING, recording)
    assert kept is not None
    assert kept.fields["sha256"].value == "ab" * 32
    assert kept.fields["title"].value == "Market stop"
    assert kept.fields["clock_offset_ms"].value is not None
    seen_by_crew = crew_tablet.store.confirmed(EntityKind.RECORDING, recording)
    assert seen_by_crew == kept  # linked to the crew's incident, so in its scope
    assert crew_tablet.get(EntityKind.INCIDENT_REPORT, report.entity_id) is None
