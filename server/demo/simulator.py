"""The demo's simulator: buttons that get pressed, a dispatcher who sends the nearest crew, and
crews that acknowledge, drive there, arrive and resolve. It acts through the same services the
API uses, so everything it does shows on the sockets, the timeline and the metrics.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import uuid
from typing import Final

from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, AlertKind
from server.alerts.service import raise_alert
from server.auth.schemas import Principal, Role
from server.crews import service as crews_service
from server.crews.repository import crews
from server.errors import ApiError
from server.geo import haversine_m
from server.incidents import deadlines, repository, service
from server.incidents.lifecycle import Outcome, Status
from server.incidents.repository import IncidentFilter
from server.incidents.schemas import DispatchIn, Incident, ResolveIn, StatusIn
from server.sites.repository import sites
from server.sites.schemas import SiteRef
from server.state import AppState

logger = logging.getLogger(__name__)

ALERT_EVERY_S: Final = 8.0
TICK_S: Final = 1.0
DISPATCH_AFTER_S: Final = 4.0
ON_SCENE_FOR_S: Final = 6.0
ARRIVED_M: Final = 80.0
STEP_FRACTION: Final = 0.35
KINDS: Final = (AlertKind.panic,) * 6 + (
    AlertKind.sos,
    AlertKind.intrusion,
    AlertKind.medical,
    AlertKind.fire,
    AlertKind.test,
)
OUTCOMES: Final = (
    Outcome.false_alarm,
    Outcome.crime_prevented,
    Outcome.persons_detained,
    Outcome.administrative_violation,
    Outcome.medical,
    Outcome.other,
)
DISPATCHER: Final = Principal(token_id=0, name="demo-dispatcher", role=Role.dispatcher)


def _crew_actor(crew_id: int, name: str) -> Principal:
    return Principal(token_id=0, name=name, role=Role.crew, crew_id=crew_id)


class Simulator:
    def __init__(self, state: AppState, rng: random.Random) -> None:
        self.state = state
        self.rng = rng
        self.arrived_at: dict[int, dt.datetime] = {}

    async def press_a_button(self) -> None:
        candidates = await sites.list(limit=1000, offset=0)
        site = self.rng.choice(candidates)
        kind = self.rng.choice(KINDS)
        now = dt.datetime.now(dt.UTC)
        new = NewAlert(
            kind=kind,
            priority=DEFAULT_PRIORITY[kind],
            source="demo",
            occurred_at=now,
            received_at=now,
            description="simulated button press",
            site=SiteRef(
                id=site.id, name=site.name, address=site.address, lat=site.lat, lon=site.lon
            ),
        )
        await raise_alert(self.state.db, new, "demo:button")

    async def dispatch_waiting(self) -> None:
        waiting = await repository.search(self.state.db, IncidentFilter(statuses=(Status.new,)))
        now = dt.datetime.now(dt.UTC)
        for incident in waiting:
            if (now - incident.created_at).total_seconds() < DISPATCH_AFTER_S:
                continue
            nearest = await deadlines.suggest_crews(incident)
            if nearest:
                await service.dispatch(
                    self.state.db,
                    incident.id,
                    DispatchIn(crew_id=nearest[0].crew_id),
                    DISPATCHER,
                    self.state.policy,
                )

    async def move_crews(self) -> None:
        active = await repository.search(
            self.state.db,
            IncidentFilter(
                statuses=(Status.dispatched, Status.acknowledged, Status.en_route, Status.on_scene)
            ),
        )
        for incident in active:
            if incident.crew_id is not None:
                await self._advance(incident, incident.crew_id)

    async def _advance(self, incident: Incident, crew_id: int) -> None:
        crew = await crews.get(crew_id)
        actor = _crew_actor(crew.id, crew.name)
        match incident.status:
            case Status.dispatched:
                await self._status(incident, Status.acknowledged, actor)
            case Status.acknowledged:
                await self._status(incident, Status.en_route, actor)
            case Status.en_route:
                await self._drive(incident, crew.lat, crew.lon, actor)
            case Status.on_scene:
                await self._maybe_resolve(incident, actor)

    async def _drive(
        self, incident: Incident, lat: float | None, lon: float | None, actor: Principal
    ) -> None:
        target_lat, target_lon = incident.site.lat, incident.site.lon
        if target_lat is None or target_lon is None or lat is None or lon is None:
            await self._status(incident, Status.on_scene, actor)
            return
        if haversine_m(lat, lon, target_lat, target_lon) < ARRIVED_M:
            self.arrived_at[incident.id] = dt.datetime.now(dt.UTC)
            await self._status(incident, Status.on_scene, actor)
            return
        await crews_service.record_position(
            self.state.db,
            actor,
            lat + (target_lat - lat) * STEP_FRACTION,
            lon + (target_lon - lon) * STEP_FRACTION,
            None,
        )

    async def _maybe_resolve(self, incident: Incident, actor: Principal) -> None:
        arrived = self.arrived_at.get(incident.id, incident.updated_at)
        if (dt.datetime.now(dt.UTC) - arrived).total_seconds() < ON_SCENE_FOR_S:
            return
        outcome = self.rng.choice(OUTCOMES)
        detained = self.rng.randint(1, 2) if outcome is Outcome.persons_detained else 0
        await service.resolve(
            self.state.db, incident.id, ResolveIn(outcome=outcome, persons_detained=detained), actor
        )
        self.arrived_at.pop(incident.id, None)

    async def _status(self, incident: Incident, status: Status, actor: Principal) -> None:
        body = StatusIn(status=status, op_id=str(uuid.uuid4()), device_at=dt.datetime.now(dt.UTC))
        await service.change_status(self.state.db, incident.id, body, actor)


async def run(state: AppState, seed: int | None = None) -> None:
    simulator = Simulator(state, random.Random(seed))
    next_alert = 0.0
    loop = asyncio.get_running_loop()
    while True:
        try:
            if loop.time() >= next_alert:
                await simulator.press_a_button()
                next_alert = loop.time() + ALERT_EVERY_S
            await simulator.dispatch_waiting()
            await simulator.move_crews()
        except ApiError as err:  # a race with a real dispatcher's click is fine: skip a beat
            logger.info("demo simulator skipped a step: %s", err.detail)
        await asyncio.sleep(TICK_S)
