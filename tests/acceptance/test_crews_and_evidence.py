"""A crew's side of the shipped process: the tablet's socket (/ws/crew) with replay after a
reconnect, the offline sync client pushing and pulling, and a body-cam recording registered
through sync and uploaded with tuspy, the reference tus client."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tusclient.client import TusClient

from sync.client import SyncClient
from sync.entities import CrewStatusFields, EntityKind, IncidentReportFields
from sync.lattices import IncidentStatus
from sync.mutations import CrewStatusRecordV1, RecordingCreateV1
from sync.recordings import RecordingFacts
from sync.server_ids import crew_uuid, incident_uuid
from tests.acceptance import fleet
from tests.acceptance.clients import next_message, raise_and_dispatch, say_hello
from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance
RECORDING_BYTES = 1_500_000 + 123
TUS_CHUNK_BYTES = 512 * 1024


async def test_a_crew_tablet_gets_what_it_missed_in_order_once_after_reconnecting(
    served: ServedPosbon,
) -> None:
    _, crew_id = fleet.CREW_FOR_SOCKETS
    token = served.token("crew", crew_id)
    socket, welcome = await say_hello(served, "/ws/crew", token)
    seen = welcome["seq"]
    await socket.close()

    incident_id = await raise_and_dispatch(served, crew_id, "while the tablet was away")

    socket, welcome = await say_hello(served, "/ws/crew", token, last_seq=seen)
    try:
        missed = welcome["seq"] - seen
        assert missed >= 1, served.explain(f"the crew stream did not move: {welcome}")
        replayed = [await next_message(socket) for _ in range(missed)]
        await socket.send(json.dumps({"type": "heartbeat"}))
        after = await next_message(socket)
    finally:
        await socket.close()
    assert [event["seq"] for event in replayed] == list(range(seen + 1, welcome["seq"] + 1))
    dispatches = [event for event in replayed if event["type"] == "dispatch"]
    assert [event["data"]["incident"]["id"] for event in dispatches] == [incident_id]
    assert after["type"] == "pong"  # the replay came before it, once; nothing more was due


async def test_a_tablet_pushes_a_report_and_a_status_and_another_tablet_pulls_the_report(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient]
) -> None:
    _, crew_id = fleet.CREW_FOR_SYNC
    token = served.token("crew", crew_id)
    incident_id = await raise_and_dispatch(served, crew_id, "for the tablets")
    first, second = devices(served.http, token), devices(served.http, token)
    report_id = first.new_id()
    incident, crew = incident_uuid(incident_id), crew_uuid(crew_id)
    narrative = "Door forced at the back; owner informed."
    report = IncidentReportFields(incident_id=incident, crew_id=crew, narrative=narrative)
    first.edit_report(report_id, report)
    status = CrewStatusFields(
        incident_id=incident,
        crew_id=crew,
        status=IncidentStatus.ACKNOWLEDGED,
        device_time=dt.datetime.now(dt.UTC),
    )
    first.enqueue(CrewStatusRecordV1, entity_id=first.new_id(), fields=status)

    await first.sync()
    await second.sync()

    assert (first.store.pending_count(), first.rejected()) == (0, [])
    shown = second.get(EntityKind.INCIDENT_REPORT, report_id)
    assert shown is not None, "the second tablet did not pull the report"
    assert shown.fields["narrative"].value == narrative
    async with served.api(served.token("dispatcher")) as desk:
        shown_to_desk = (await desk.get(f"/api/v1/incidents/{incident_id}")).json()
    assert shown_to_desk["status"] == "acknowledged"


def recording_facts(video: Path, sha256: str) -> RecordingFacts:
    stop = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    start = stop - dt.timedelta(seconds=90)
    return RecordingFacts(
        device_id=crew_uuid(fleet.CREW_FOR_SYNC[1]),
        device_serial="BWC-ACCEPT-01",
        recorded_start=start,
        recorded_stop=stop,
        duration_s=90.0,
        device_clock_time=start,
        file_name=video.name,
        size_bytes=video.stat().st_size,
        sha256=sha256,
    )


def upload_with_tuspy(served: ServedPosbon, token: str, video: Path, recording_id: str) -> str:
    """Blocking, as tuspy is; the upload's URL."""
    client = TusClient(served.http + "/uploads/", headers={"Authorization": f"Bearer {token}"})
    with video.open("rb") as stream:
        uploader = client.uploader(
            file_stream=stream, chunk_size=TUS_CHUNK_BYTES, metadata={"recording_id": recording_id}
        )
        uploader.upload()
    return str(uploader.url)


async def test_a_recording_synced_then_uploaded_with_tuspy_is_verified_and_plays_back(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient], tmp_path: Path
) -> None:
    token = served.token("upload_station")
    video = tmp_path / "BWC0001_0001.mp4"
    data = os.urandom(RECORDING_BYTES)
    video.write_bytes(data)
    sha256 = hashlib.sha256(data).hexdigest()
    station = devices(served.http, token)
    recording_id = station.new_id()
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=recording_facts(video, sha256))
    await station.sync()

    url = await asyncio.to_thread(upload_with_tuspy, served, token, video, str(recording_id))
    await station.sync()

    assert url.startswith(served.http + "/uploads/")
    state = station.get(EntityKind.RECORDING, recording_id)
    assert state is not None
    assert state.fields["verified_sha256"].value == sha256
    async with served.api(served.token("admin")) as admin:
        custody = await admin.get(f"/api/v1/recordings/{recording_id}/custody")
        played = await admin.get(f"/api/v1/recordings/{recording_id}/file")
    assert custody.status_code == 200, custody.text
    assert [entry["kind"] for entry in custody.json()] == ["received", "verified"]
    assert (played.status_code, played.content == data) == (200, True)
