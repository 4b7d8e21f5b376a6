"""The authorization walk, part two: who owns what. A role that may call a route still reaches
only its own things: a station its own recordings (metadata, edits, voids, uploads), a crew its
own crew, a caller its own idempotency keys; and a deleted crew's tablet reaches nothing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.custody import repository as custody
from server.db import Database
from sync.client import SyncClient, wall_ms
from sync.entities import EntityKind
from sync.mutations import EntityVoidV1, RecordingCreateV1, RecordingUpdateV1
from sync.recordings import AccessClass, RecordingCurated, RecordingFacts
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert
from tests.integration.test_sync.support import Tablets

pytestmark = pytest.mark.integration

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
VIDEO_BYTES = 64 * 1024


def _facts(data: bytes) -> RecordingFacts:
    start = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    return RecordingFacts(
        device_id=uuid.uuid5(uuid.NAMESPACE_OID, hashlib.sha256(data).hexdigest()),
        device_serial="BWC-7",
        recorded_start=start,
        recorded_stop=start + dt.timedelta(minutes=1),
        duration_s=60.0,
        device_clock_time=start,
        file_name="BWC-7-0001.mp4",
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


async def _recording(station: SyncClient, data: bytes, **curated: object) -> uuid.UUID:
    """Sync a recording's metadata the way a docking station does; returns its id."""
    recording_id = station.new_id()
    fields = RecordingCurated(**curated)  # type: ignore[arg-type]
    station.enqueue(RecordingCreateV1, entity_id=recording_id, facts=_facts(data), curated=fields)
    await station.sync()
    assert station.rejected() == []
    return recording_id


def _metadata(recording_id: uuid.UUID) -> dict[str, str]:
    encoded = base64.b64encode(str(recording_id).encode()).decode()
    return {"Upload-Metadata": f"recording_id {encoded}"}


async def _start_upload(live: Live, token: str, recording_id: uuid.UUID) -> httpx.Response:
    headers = live.headers(token) | TUS | {"Upload-Length": str(VIDEO_BYTES)}
    async with httpx.AsyncClient(base_url=live.http, headers=headers) as client:
        return await client.post("/uploads/", headers=_metadata(recording_id))


async def _upload(live: Live, token: str, recording_id: uuid.UUID, data: bytes) -> str:
    created = await _start_upload(live, token, recording_id)
    assert created.status_code == 201, created.text
    path = httpx.URL(created.headers["Location"]).path
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token) | TUS) as c:
        sent = await c.patch(path, content=data, headers=CHUNK)
    assert sent.status_code == 204, sent.text
    return path


def _rejections(device: SyncClient) -> list[str]:
    return sorted(str(rejected.code) for rejected in device.rejected())


@pytest.fixture
async def tablets(live: Live, tmp_path: Path) -> AsyncIterator[Tablets]:
    opened = Tablets(live, tmp_path)
    yield opened
    await opened.close()


async def test_an_upload_comes_only_from_the_station_that_synced_the_recording(
    live: Live, db: Database, tablets: Tablets
) -> None:
    owner = tablets.open(await live.token(Role.UPLOAD_STATION), "owner")
    other = await live.token(Role.UPLOAD_STATION)
    crew_id = await create_crew(live, await live.token(Role.ADMIN), "Lochin-1", 39.6, 66.9)
    tablet = await live.token(Role.CREW, crew_id)
    data = os.urandom(VIDEO_BYTES)
    recording_id = await _recording(owner, data)

    by_other = await _start_upload(live, other, recording_id)
    by_crew = await _start_upload(live, tablet, recording_id)

    assert by_other.status_code == by_crew.status_code == 403, by_other.text
    assert by_other.json()["code"] == by_crew.json()["code"] == "not_your_recording"
    assert await custody.entries(db, str(recording_id)) == []


async def test_a_verified_recording_takes_no_new_upload_and_no_late_bytes(
    live: Live, db: Database, tablets: Tablets
) -> None:
    token = await live.token(Role.UPLOAD_STATION)
    owner = tablets.open(token, "owner")
    data = os.urandom(VIDEO_BYTES)
    recording_id = await _recording(owner, data)
    late = await _start_upload(live, token, recording_id)  # opened before the file is verified
    assert late.status_code == 201, late.text
    await _upload(live, token, recording_id, data)

    again = await _start_upload(live, token, recording_id)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token) | TUS) as c:
        zeros = await c.patch(
            httpx.URL(late.headers["Location"]).path, content=bytes(VIDEO_BYTES), headers=CHUNK
        )

    assert again.status_code == zeros.status_code == 409, again.text
    assert again.json()["code"] == zeros.json()["code"] == "recording_verified"
    chain = await custody.entries(db, str(recording_id))
    assert [entry.kind.value for entry in chain] == ["received", "verified"]
    async with httpx.AsyncClient(base_url=live.http) as client:
        alerts = await client.get(
            "/api/v1/alerts", headers=live.headers(await live.token(Role.ADMIN))
        )
    assert [alert for alert in alerts.json() if alert["kind"] == "tamper"] == []


async def test_a_station_reads_and_changes_only_its_own_recordings(
    live: Live, db: Database, tablets: Tablets
) -> None:
    first = tablets.open(await live.token(Role.UPLOAD_STATION), "first")
    second = tablets.open(await live.token(Role.UPLOAD_STATION), "second")
    data = os.urandom(VIDEO_BYTES)
    mine = await _recording(first, data, title="Market stop")
    theirs = await _recording(second, os.urandom(VIDEO_BYTES))

    retitle = RecordingCurated(title="Mine now", access_class=AccessClass.RESTRICTED)
    second.enqueue(RecordingUpdateV1, entity_id=mine, fields=retitle)
    second.enqueue(EntityVoidV1, entity_id=mine, entity=EntityKind.RECORDING)
    second.enqueue(RecordingCreateV1, entity_id=mine, facts=_facts(data))  # claim it
    await second.sync()
    first.enqueue(RecordingUpdateV1, entity_id=mine, fields=RecordingCurated(title="Renamed"))
    await first.sync()

    assert second.store.confirmed(EntityKind.RECORDING, mine) is None
    assert second.store.confirmed(EntityKind.RECORDING, theirs) is not None
    assert first.store.confirmed(EntityKind.RECORDING, theirs) is None
    assert _rejections(second) == ["scope_forbidden"] * 3
    kept = first.store.confirmed(EntityKind.RECORDING, mine)
    assert kept is not None
    assert kept.fields["title"].value == "Renamed"
    assert "voided" not in kept.fields
    assert "access_class" not in kept.fields
    chain = await custody.entries(db, str(mine))
    assert [(entry.kind.value, entry.data["fields"]) for entry in chain] == [
        ("metadata_changed", {"title": "Renamed"})
    ]
    assert chain[0].actor.startswith("upload_station:")
    assert custody.verify(str(mine), chain).intact


async def test_a_verified_recording_is_voided_only_by_an_admin(
    live: Live, db: Database, tablets: Tablets
) -> None:
    token = await live.token(Role.UPLOAD_STATION)
    owner = tablets.open(token, "owner")
    admin = tablets.open(await live.token(Role.ADMIN), "admin")
    data = os.urandom(VIDEO_BYTES)
    recording_id = await _recording(owner, data)
    await _upload(live, token, recording_id, data)

    owner.enqueue(EntityVoidV1, entity_id=recording_id, entity=EntityKind.RECORDING)
    await owner.sync()
    admin.enqueue(EntityVoidV1, entity_id=recording_id, entity=EntityKind.RECORDING)
    await admin.sync()

    assert _rejections(owner) == ["scope_forbidden"]
    assert admin.rejected() == []
    chain = await custody.entries(db, str(recording_id))
    assert [entry.kind.value for entry in chain] == ["received", "verified", "voided"]
    assert chain[-1].actor.startswith("admin:")
    assert custody.verify(str(recording_id), chain).intact


async def test_a_restricted_recording_is_hidden_from_dispatchers(
    live: Live, tablets: Tablets
) -> None:
    token = await live.token(Role.UPLOAD_STATION)
    owner = tablets.open(token, "owner")
    desk_token = await live.token(Role.DISPATCHER)
    admin_token = await live.token(Role.ADMIN)
    desk = tablets.open(desk_token, "desk")
    admin = tablets.open(admin_token, "admin")
    data = os.urandom(VIDEO_BYTES)
    recording_id = await _recording(owner, data, access_class=AccessClass.RESTRICTED)
    await _upload(live, token, recording_id, data)
    await desk.sync()
    await admin.sync()

    base = f"/api/v1/recordings/{recording_id}"
    paths = [f"{base}/custody", f"{base}/file", f"{base}/custody/export?format=csv"]
    async with httpx.AsyncClient(base_url=live.http) as client:
        refused = [await client.get(p, headers=live.headers(desk_token)) for p in paths]
        allowed = [await client.get(p, headers=live.headers(admin_token)) for p in paths]
        linked = await client.post(
            f"{base}/links", json={"incident_id": 1}, headers=live.headers(desk_token)
        )

    assert [r.status_code for r in refused] == [403, 403, 403], refused[0].text
    assert {r.json()["code"] for r in [*refused, linked]} == {"recording_restricted"}
    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert desk.store.confirmed(EntityKind.RECORDING, recording_id) is None
    assert admin.store.confirmed(EntityKind.RECORDING, recording_id) is not None
    assert owner.store.confirmed(EntityKind.RECORDING, recording_id) is not None


async def test_an_op_id_belongs_to_its_caller_and_incident(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    tablets: list[dict[str, str]] = []
    incidents: list[int] = []
    for name in ("Qalqon-1", "Qalqon-2"):
        crew_id = await create_crew(live, admin, name, 39.65, 66.97)
        incident_id = int((await post_alert(live, dispatcher))["incident_id"])
        await dispatch(live, dispatcher, incident_id, crew_id)
        tablets.append(live.headers(await live.token(Role.CREW, crew_id)))
        incidents.append(incident_id)
    status = {"status": "en_route", "op_id": "op-shared-0001"}
    async with httpx.AsyncClient(base_url=live.http) as client:

        async def post(crew: int, incident: int, body: dict[str, str]) -> httpx.Response:
            return await client.post(
                f"/api/v1/incidents/{incident}/status", json=body, headers=tablets[crew]
            )

        first = await post(0, incidents[0], status)
        foreign = await post(1, incidents[0], status)
        own = await post(1, incidents[1], status)
        reused = await post(0, incidents[0], status | {"status": "on_scene"})
        replayed = await post(0, incidents[0], status)

    assert first.status_code == own.status_code == replayed.status_code == 200
    assert foreign.status_code == 403, foreign.text
    assert "site" not in foreign.json()
    assert own.json()["id"] == incidents[1]
    assert own.json()["status"] == "en_route"
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert replayed.json() == first.json()


async def test_a_deleted_crews_tablet_reaches_nothing_and_its_id_is_never_reused(
    live: Live,
) -> None:
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    await create_crew(live, admin, "Burgut-1", 39.6, 66.9)
    gone_id = await create_crew(live, admin, "Burgut-2", 39.6, 66.9)
    old_tablet = live.headers(await live.token(Role.CREW, gone_id))
    async with httpx.AsyncClient(base_url=live.http) as client:
        deleted = await client.delete(f"/api/v1/crews/{gone_id}", headers=live.headers(admin))
        new_id = await create_crew(live, admin, "Burgut-3", 39.6, 66.9)
        incident_id = int((await post_alert(live, dispatcher))["incident_id"])
        await dispatch(live, dispatcher, incident_id, new_id)
        read = await client.get(f"/api/v1/incidents/{incident_id}", headers=old_tablet)

    assert deleted.status_code == 204, deleted.text
    assert new_id > gone_id
    assert read.status_code == 401
    assert read.json()["code"] == "token_invalid"


async def test_a_crew_token_sees_only_its_own_crew(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    own_id = await create_crew(live, admin, "Sokol-1", 39.6, 66.9)
    other_id = await create_crew(live, admin, "Sokol-2", 39.7, 66.8)
    tablet = live.headers(await live.token(Role.CREW, own_id))
    desk = live.headers(await live.token(Role.DISPATCHER))
    async with httpx.AsyncClient(base_url=live.http) as client:
        listed = await client.get("/api/v1/crews", headers=tablet)
        other = await client.get(f"/api/v1/crews/{other_id}", headers=tablet)
        own = await client.get(f"/api/v1/crews/{own_id}", headers=tablet)
        everyone = await client.get("/api/v1/crews", headers=desk)

    assert [crew["id"] for crew in listed.json()] == [own_id]
    assert other.status_code == 404
    assert own.status_code == 200
    assert {own_id, other_id} <= {crew["id"] for crew in everyone.json()}


async def test_a_restricted_recordings_conflicts_are_for_admins_only(
    live: Live, tablets: Tablets
) -> None:
    token = await live.token(Role.UPLOAD_STATION)
    dock = tablets.open(token, "dock", clock_ms=lambda: wall_ms() - 2_000)
    spare = tablets.open(token, "spare")
    restricted = await _recording(
        dock, os.urandom(VIDEO_BYTES), access_class=AccessClass.RESTRICTED
    )
    normal = await _recording(dock, os.urandom(VIDEO_BYTES))
    await spare.sync()
    for recording_id in (restricted, normal):  # two docks of one station retitle it at once
        spare.enqueue(RecordingUpdateV1, entity_id=recording_id, fields=RecordingCurated(title="B"))
        dock.enqueue(RecordingUpdateV1, entity_id=recording_id, fields=RecordingCurated(title="A"))
    await spare.sync()
    await dock.sync()  # its older stamp loses: a conflict on each recording
    desk_token = await live.token(Role.DISPATCHER)
    admin_token = await live.token(Role.ADMIN)

    async with httpx.AsyncClient(base_url=live.http) as client:
        listed = {
            who: (await client.get("/api/v1/sync/conflicts", headers=live.headers(t))).json()
            for who, t in (("desk", desk_token), ("admin", admin_token))
        }
        hidden = next(c["id"] for c in listed["admin"] if c["entity_id"] == str(restricted))
        refused = await client.post(
            f"/api/v1/sync/conflicts/{hidden}/resolve",
            json={"keep": "winner"},
            headers=live.headers(desk_token),
        )
        resolved = await client.post(
            f"/api/v1/sync/conflicts/{hidden}/resolve",
            json={"keep": "winner"},
            headers=live.headers(admin_token),
        )

    assert {c["entity_id"] for c in listed["admin"]} == {str(restricted), str(normal)}
    assert [c["entity_id"] for c in listed["desk"]] == [str(normal)]
    assert refused.status_code == 404, refused.text
    assert resolved.status_code == 200, resolved.text
