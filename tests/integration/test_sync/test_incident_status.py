"""One status command behind every door, and the incident as a tablet pulls it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from msgspec import UNSET, UnsetType

from sync.client import SyncClient
from sync.entities import CrewStatusFields, EntityKind, Outcome
from sync.lattices import IncidentStatus
from sync.merge import EntityState
from sync.mutations import CrewStatusRecordV1
from sync.server_ids import crew_uuid
from tests.integration.live import Live
from tests.integration.test_server.helpers import dispatch, open_socket
from tests.integration.test_sync.support import (
    Crew,
    Tablets,
    api,
    dispatched_crew,
    get_json,
    record_status,
)

pytestmark = pytest.mark.integration


def _incident(tablet: SyncClient, crew: Crew) -> EntityState:
    state = tablet.store.confirmed(EntityKind.INCIDENT, crew.incident_uuid)
    assert state is not None
    return state


async def _timeline(live: Live, crew: Crew) -> list[dict[str, Any]]:
    path = f"/api/v1/incidents/{crew.incident_id}/timeline"
    entries: list[dict[str, Any]] = await get_json(live, crew.dispatcher, path)
    return entries


def _resolve(client: SyncClient, crew: Crew, outcome: Outcome | UnsetType) -> CrewStatusRecordV1:
    fields = CrewStatusFields(
        incident_id=crew.incident_uuid,
        crew_id=crew.crew_uuid,
        status=IncidentStatus.RESOLVED,
        device_time=dt.datetime.now(dt.UTC),
        outcome=outcome,
    )
    return client.enqueue(CrewStatusRecordV1, entity_id=client.new_id(), fields=fields)


async def test_a_dispatch_and_a_cancel_made_over_rest_reach_the_crews_tablet(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    tablet = tablets.open(crew.crew_token, "tablet")

    await tablet.sync()
    dispatched = _incident(tablet, crew)
    async with api(live, crew.dispatcher) as http:
        cancelled = await http.post(
            f"/api/v1/incidents/{crew.incident_id}/status",
            json={"status": "cancelled", "outcome": "other"},
        )
    await tablet.sync()

    assert dispatched.fields["status"].value == "dispatched"
    assert dispatched.fields["crew_id"].value == str(crew.crew_uuid)
    assert cancelled.status_code == 200, cancelled.text
    assert _incident(tablet, crew).fields["status"].value == "cancelled"


async def test_a_redispatch_over_rest_reaches_the_new_crew_and_leaves_the_old_one(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    other = await dispatched_crew(live, "Bravo")
    first = tablets.open(crew.crew_token, "first")
    await first.sync()

    await dispatch(live, crew.dispatcher, crew.incident_id, other.crew_id)
    second = tablets.open(other.crew_token, "second")
    await first.sync()
    await second.sync()

    assert first.store.confirmed(EntityKind.INCIDENT, crew.incident_uuid) is None
    moved = _incident(second, crew)
    assert moved.fields["crew_id"].value == str(crew_uuid(other.crew_id))
    assert moved.fields["status"].value == "dispatched"


async def test_one_status_change_sent_over_rest_the_socket_and_sync_applies_once(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    tablet = tablets.open(crew.crew_token, "tablet")
    left = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=3)
    mutation = record_status(tablet, crew, IncidentStatus.EN_ROUTE, left)
    op_id = str(mutation.mutation_id)
    change = {"status": "en_route", "op_id": op_id, "device_at": left.isoformat()}

    async with api(live, crew.crew_token) as http:
        by_rest = await http.post(f"/api/v1/incidents/{crew.incident_id}/status", json=change)
    socket, _ = await open_socket(live, "/ws/crew", crew.crew_token)
    message = {"type": "status", "incident_id": crew.incident_id, "op_id": op_id}
    await socket.send(json.dumps(message | {"status": "en_route", "at": left.isoformat()}))
    by_socket = json.loads(await socket.recv())
    while by_socket["type"] != "status_result":
        by_socket = json.loads(await socket.recv())
    await socket.close()
    await tablet.sync()

    assert by_rest.status_code == 200, by_rest.text
    assert (by_socket["ok"], by_socket["incident"]["status"]) == (True, "en_route")
    assert tablet.rejected() == []
    entries = await _timeline(live, crew)
    moves = [e for e in entries if e["to_status"] == "en_route"]
    assert [(e["kind"], e["device_at"] is not None) for e in moves] == [("status", True)]
    assert _incident(tablet, crew).fields["status"].value == "en_route"


async def test_a_resolve_made_offline_stores_the_outcome_the_tablet_gave(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    tablet = tablets.open(crew.crew_token, "tablet")
    record_status(tablet, crew, IncidentStatus.ON_SCENE, dt.datetime.now(dt.UTC))
    _resolve(tablet, crew, Outcome.CRIME_PREVENTED)

    await tablet.sync()

    assert tablet.rejected() == []
    path = f"/api/v1/incidents/{crew.incident_id}"
    incident = await get_json(live, crew.dispatcher, path)
    assert (incident["status"], incident["outcome"]) == ("resolved", "crime_prevented")
    synced = _incident(tablet, crew)
    assert synced.fields["outcome"].value == "crime_prevented"


async def test_a_resolve_without_an_outcome_is_refused_and_the_incident_stays_open(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    tablet = tablets.open(crew.crew_token, "tablet")
    record_status(tablet, crew, IncidentStatus.ON_SCENE, dt.datetime.now(dt.UTC))
    bare = _resolve(tablet, crew, UNSET)

    await tablet.sync()

    assert [(r.mutation.mutation_id, r.code) for r in tablet.rejected()] == [
        (bare.mutation_id, "invalid_value")
    ]
    path = f"/api/v1/incidents/{crew.incident_id}"
    incident = await get_json(live, crew.dispatcher, path)
    assert (incident["status"], incident["outcome"]) == ("on_scene", None)
    assert _incident(tablet, crew).fields["outcome"].value is None
