"""A crew with a dispatched incident, tablets running the real client library over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

from server.auth.schemas import Role
from sync.client import SyncClient
from sync.entities import CrewStatusFields, IncidentReportFields
from sync.http_transport import HttpTransport
from sync.lattices import IncidentStatus
from sync.mutations import CrewStatusRecordV1, IncidentReportUpsertV1
from sync.server_ids import crew_uuid, incident_uuid
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert


class Crew(msgspec.Struct):
    """A crew with one incident dispatched to it, and the tokens the tests use."""

    crew_id: int
    incident_id: int
    crew_token: str
    dispatcher: str
    admin: str

    @property
    def crew_uuid(self) -> uuid.UUID:
        return crew_uuid(self.crew_id)

    @property
    def incident_uuid(self) -> uuid.UUID:
        return incident_uuid(self.incident_id)


async def dispatched_crew(live: Live, name: str = "Alpha") -> Crew:
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    crew_id = await create_crew(live, admin, f"{name}-{uuid.uuid4().hex[:6]}", 39.65, 66.96)
    alert = await post_alert(live, dispatcher)
    incident_id = int(alert["incident_id"])
    await dispatch(live, dispatcher, incident_id, crew_id)
    crew_token = await live.token(Role.CREW, crew_id)
    return Crew(crew_id, incident_id, crew_token, dispatcher, admin)


class Tablets:
    """Opens devices, each with its own SQLite file, and closes them all at the end."""

    def __init__(self, live: Live, folder: Path) -> None:
        self.live = live
        self.folder = folder
        self._transports: list[HttpTransport] = []
        self._clients: list[SyncClient] = []

    def open(
        self,
        token: str,
        name: str,
        transport: HttpTransport | None = None,
        **options: Any,
    ) -> SyncClient:
        """A device called ``name``; reopening a name reopens its file (a restarted app)."""
        transport = transport or HttpTransport(self.live.http, token)
        self._transports.append(transport)
        client = SyncClient.open(self.folder / f"{name}.sqlite3", transport, **options)
        self._clients.append(client)
        return client

    async def close(self) -> None:
        for client in self._clients:
            client.close()
        for transport in self._transports:
            await transport.aclose()


@asynccontextmanager
async def api(live: Live, token: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        yield client


async def get_json(live: Live, token: str, path: str) -> Any:
    async with api(live, token) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def new_report(client: SyncClient, crew: Crew, narrative: str) -> IncidentReportUpsertV1:
    fields = IncidentReportFields(
        incident_id=crew.incident_uuid, crew_id=crew.crew_uuid, narrative=narrative
    )
    return client.edit_report(client.new_id(), fields)


def record_status(
    client: SyncClient, crew: Crew, status: IncidentStatus, device_time: datetime
) -> CrewStatusRecordV1:
    fields = CrewStatusFields(
        incident_id=crew.incident_uuid,
        crew_id=crew.crew_uuid,
        status=status,
        device_time=device_time,
    )
    return client.enqueue(CrewStatusRecordV1, entity_id=client.new_id(), fields=fields)


def utc_ms(moment_ms: int) -> datetime:
    return datetime.fromtimestamp(moment_ms / 1000, tz=UTC)
