"""A crew also syncs the incidents of its own district, and loses them when it moves."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from server.auth.schemas import Role
from sync.entities import EntityKind
from sync.lattices import IncidentStatus
from sync.server_ids import incident_uuid
from tests.integration.live import Live
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert
from tests.integration.test_sync.support import Crew, Tablets, api, new_report, record_status

pytestmark = pytest.mark.integration


async def _site_in(live: Live, admin: str, district: str) -> int:
    async with api(live, admin) as http:
        response = await http.post(
            "/api/v1/sites",
            json={"name": f"School {uuid.uuid4().hex[:6]}", "district": district, "lat": 39.65},
        )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _crew_in(live: Live, admin: str, district: str) -> int:
    crew_id = await create_crew(live, admin, f"Local-{uuid.uuid4().hex[:6]}", 39.6, 66.9)
    await _move_crew(live, admin, crew_id, district)
    return crew_id


async def _move_crew(live: Live, admin: str, crew_id: int, district: str) -> None:
    async with api(live, admin) as http:
        response = await http.patch(f"/api/v1/crews/{crew_id}", json={"district": district})
    assert response.status_code == 200, response.text


async def _incident_in(live: Live, district: str) -> Crew:
    """An incident at a site of ``district``, dispatched to a crew from elsewhere."""
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    site_id = await _site_in(live, admin, district)
    incident_id = int((await post_alert(live, dispatcher, site_id=site_id))["incident_id"])
    away = await create_crew(live, admin, f"Away-{uuid.uuid4().hex[:6]}", 39.7, 66.8)
    await dispatch(live, dispatcher, incident_id, away)
    return Crew(away, incident_id, await live.token(Role.CREW, away), dispatcher, admin)


async def test_a_crew_pulls_the_incidents_and_reports_of_its_district_until_it_moves(
    live: Live, tablets: Tablets
) -> None:
    district = f"Registan-{uuid.uuid4().hex[:6]}"
    assigned = await _incident_in(live, district)
    writer = tablets.open(assigned.crew_token, "assigned")
    report = new_report(writer, assigned, "written by the crew on the call").entity_id
    record_status(writer, assigned, IncidentStatus.EN_ROUTE, dt.datetime.now(dt.UTC))
    await writer.sync()
    assert writer.rejected() == []
    local_id = await _crew_in(live, assigned.admin, district)
    local = tablets.open(await live.token(Role.CREW, local_id), "local")

    await local.sync()

    scope = f"district:{district}"
    assert scope in local.store.cursors()
    assert f"incident:{assigned.incident_id}" not in local.store.cursors()
    seen = local.store.confirmed(EntityKind.INCIDENT_REPORT, report)
    assert seen is not None
    assert seen.fields["narrative"].value == "written by the crew on the call"
    status = local.store.confirmed(EntityKind.INCIDENT, incident_uuid(assigned.incident_id))
    assert status is not None

    await _move_crew(live, assigned.admin, local_id, f"Elsewhere-{uuid.uuid4().hex[:6]}")
    await local.sync()

    assert scope not in local.store.cursors()
    assert local.store.confirmed(EntityKind.INCIDENT_REPORT, report) is None


async def test_a_crew_may_read_but_not_write_an_unassigned_incident_of_its_district(
    live: Live, tablets: Tablets
) -> None:
    district = f"Siab-{uuid.uuid4().hex[:6]}"
    assigned = await _incident_in(live, district)
    local_id = await _crew_in(live, assigned.admin, district)
    intruder = Crew(
        local_id,
        assigned.incident_id,
        await live.token(Role.CREW, local_id),
        assigned.dispatcher,
        assigned.admin,
    )
    local = tablets.open(intruder.crew_token, "local")
    new_report(local, intruder, "not our call")

    await local.sync()

    assert [r.code for r in local.rejected()] == ["scope_forbidden"]


async def test_a_crew_of_its_district_pulls_a_new_incident_before_any_crew_is_sent(
    live: Live, tablets: Tablets
) -> None:
    district = f"Urgut-{uuid.uuid4().hex[:6]}"
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    site_id = await _site_in(live, admin, district)
    local = tablets.open(await live.token(Role.CREW, await _crew_in(live, admin, district)), "in")
    away_id = await _crew_in(live, admin, f"Elsewhere-{uuid.uuid4().hex[:6]}")
    away = tablets.open(await live.token(Role.CREW, away_id), "away")
    incident_id = int((await post_alert(live, dispatcher, site_id=site_id))["incident_id"])

    await local.sync()
    await away.sync()

    seen = local.store.confirmed(EntityKind.INCIDENT, incident_uuid(incident_id))
    assert seen is not None
    assert seen.fields["status"].value == IncidentStatus.NEW
    assert seen.fields["crew_id"].value is None
    assert away.store.confirmed(EntityKind.INCIDENT, incident_uuid(incident_id)) is None
