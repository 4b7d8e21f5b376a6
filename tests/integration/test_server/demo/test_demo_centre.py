"""The demo seeds the monitoring centre's data (plans, key-holders, opening hours) once however
often it starts, and its simulated dispatcher works an incident's action plan to the end, calls
included, so the crews can resolve it."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from server.alerts.repository import NewAlert
from server.alerts.schemas import AlertKind
from server.alerts.service import raise_alert
from server.contacts.repository import contacts_of_site
from server.demo import centre, seed
from server.demo.simulator import Pace, Simulator
from server.incidents.repository import find as find_incident
from server.plans import checklist
from server.plans.schemas import StepState
from server.schedules import repository as schedules
from server.sites.repository import find_by_name
from server.sites.schemas import SiteRef
from sync.lattices import IncidentStatus
from tests.integration.live import Live

pytestmark = pytest.mark.integration

NO_WAIT = Pace(dispatch_after_s=0.0, on_scene_for_s=0.0, plan_step_every_s=0.0)
MAX_STEPS = 100  # an incident takes about 10 steps from alarm to resolved; this bounds a bug
BANK = "National bank, Samarkand branch"


async def _plan_versions(live: Live) -> list[tuple[str, int]]:
    rows = await live.state.db.fetch("SELECT name, version FROM plans ORDER BY name")
    return [(row["name"], row["version"]) for row in rows]


async def test_the_demo_seed_stores_plans_keyholders_and_hours_once(live: Live) -> None:
    db = live.state.db
    await seed.seed(db)
    bank = await find_by_name(db, BANK)
    assert bank is not None
    first_hours = await schedules.find(db, bank.id)
    first_plans = await _plan_versions(live)

    await seed.seed(db)  # a restart of the demo

    assert first_plans == await _plan_versions(live)
    assert {name for name, _ in first_plans} == {
        "Bank hold-up",
        "Bank intrusion",
        "Fire",
        "Kindergarten panic",
        "School panic",
    }
    assert all(version == 1 for _, version in first_plans)
    assert await schedules.find(db, bank.id) == first_hours
    assert first_hours is not None
    assert first_hours.weekly.mon == ["09:00-18:00"]
    assert first_hours.weekly.sat == ["09:00-13:00"]
    assert first_hours.weekly.sun == []
    keyholders = await contacts_of_site(db, bank.id)
    assert [contact.name for contact in keyholders] == [
        "Dilshod Rahimov",
        "Nodira Xasanova",
        "Sherzod Tursunov",
    ]
    rows = await db.fetch("SELECT count(*) AS n FROM site_schedules")
    assert rows[0]["n"] == len(centre.HOURS)
    rows = await db.fetch("SELECT site_kind, site_id FROM plans WHERE name = 'Fire'")
    assert [(row["site_kind"], row["site_id"]) for row in rows] == [(None, None)]  # any site


async def test_the_demo_dispatcher_works_a_bank_intrusion_plan_before_the_crew_resolves(
    live: Live,
) -> None:
    db = live.state.db
    await seed.seed(db)
    bank = await find_by_name(db, BANK)
    assert bank is not None
    now = dt.datetime.now(dt.UTC)
    alert, _ = await raise_alert(
        db,
        live.state.sync_clock,
        NewAlert(
            kind=AlertKind.INTRUSION,
            priority=2,
            source="demo",
            occurred_at=now,
            received_at=now,
            site=SiteRef(
                id=bank.id, name=bank.name, address=bank.address, lat=bank.lat, lon=bank.lon
            ),
        ),
        "demo:button",
    )
    incident_id = alert.incident_id
    assert incident_id is not None
    simulator = Simulator(live.state, random.Random(7), None, NO_WAIT)

    statuses = []
    for _ in range(MAX_STEPS):
        await simulator.dispatch_waiting()
        await simulator.move_crews()
        incident = await find_incident(db, incident_id)
        assert incident is not None
        statuses.append(incident.status)
        if incident.status is IncidentStatus.RESOLVED:
            break
    assert statuses[-1] is IncidentStatus.RESOLVED, statuses

    plan = await checklist.read(db, incident_id)
    assert plan.plan_name == "Bank intrusion"
    assert plan.open_required == []
    assert plan.override is None
    assert all(step.state is not StepState.OPEN for step in plan.steps)
    rows = await db.fetch(
        "SELECT kind FROM timeline WHERE incident_id = {} ORDER BY id", incident_id
    )
    kinds = [row["kind"] for row in rows]
    assert kinds.count("plan_step") == len(plan.steps)
    calls = await db.fetch("SELECT result FROM contact_calls WHERE incident_id = {}", incident_id)
    assert calls  # Nodira Xasanova may be called at any hour
