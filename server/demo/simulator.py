"""The demo's simulator: buttons that get pressed, a dispatcher who sends the nearest crew, and
crews that acknowledge, drive there, arrive, write their report and resolve. The dispatcher and
the crews' positions act through the same services the API uses; the crews' status changes and
reports go through their tablets (`server.demo.tablets`: the real sync client over HTTP, offline
now and then), so everything shows on the sockets, the timeline, the metrics and in sync.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import uuid
from typing import Final

import msgspec

from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, AlertKind
from server.alerts.service import raise_alert
from server.auth.schemas import Principal, Role
from server.crews import service as crews_service
from server.crews.repository import crews
from server.demo import seed
from server.demo.desk import Desk
from server.demo.panels import press_a_panel
from server.demo.tablets import Tablet, Tablets, server_url
from server.errors import ApiError
from server.geo import haversine_m
from server.incidents import deadlines, repository, service
from server.incidents.repository import IncidentFilter
from server.incidents.schemas import DispatchIn, Incident, ResolveIn, StatusIn
from server.sites.repository import sites
from server.sites.schemas import SiteRef
from server.state import AppState
from sync.entities import Outcome
from sync.lattices import IncidentStatus

logger = logging.getLogger(__name__)

ALERT_EVERY_S: Final = 8.0
TICK_S: Final = 1.0
DISPATCH_AFTER_S: Final = 4.0
ON_SCENE_FOR_S: Final = 6.0
PLAN_STEP_EVERY_S: Final = 5.0
ARRIVED_M: Final = 80.0
STEP_FRACTION: Final = 0.35
KINDS: Final = (AlertKind.PANIC,) * 6 + (
    AlertKind.SOS,
    AlertKind.INTRUSION,
    AlertKind.MEDICAL,
    AlertKind.FIRE,
    AlertKind.TEST,
)
AT_SITES_OF_KIND: Final = {AlertKind.INTRUSION: "bank"}
"""Kinds the simulator raises only at sites of one kind: an intrusion is a bank's, so the demo
shows the banks' intrusion plan and the opening hours judging it."""
OUTCOMES: Final = (
    Outcome.FALSE_ALARM,
    Outcome.CRIME_PREVENTED,
    Outcome.PERSONS_DETAINED,
    Outcome.ADMINISTRATIVE_VIOLATION,
    Outcome.MEDICAL,
    Outcome.OTHER,
)
# The steps a crew's tablet records, in order; the next one follows the newest known.
PROGRESS: Final = (
    IncidentStatus.DISPATCHED,
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.EN_ROUTE,
    IncidentStatus.ON_SCENE,
)
NARRATIVES: Final = (
    "Arrived, spoke with the caller and the site's guard; situation under control.",
    "Checked the premises and the surrounding street; nothing further found.",
    "Met the ambulance crew on site and handed over; the scene is safe.",
)
DISPATCHER: Final = Principal(token_id=0, name="demo-dispatcher", role=Role.DISPATCHER)


def _crew_actor(crew_id: int, name: str) -> Principal:
    return Principal(token_id=0, name=name, role=Role.CREW, crew_id=crew_id)


class Pace(msgspec.Struct, frozen=True, kw_only=True):
    """How long the simulated people wait; tests run the same steps without waiting."""

    dispatch_after_s: float = DISPATCH_AFTER_S
    on_scene_for_s: float = ON_SCENE_FOR_S
    plan_step_every_s: float = PLAN_STEP_EVERY_S


class Simulator:
    def __init__(
        self,
        state: AppState,
        rng: random.Random,
        tablets: Tablets | None = None,
        pace: Pace | None = None,
        *,
        panel_port: int | None = None,
    ) -> None:
        self.state = state
        self.rng = rng
        self.tablets = tablets
        self.pace = pace or Pace()
        self.panel_port = panel_port
        """The port our own DC-09 receiver bound; None: the buttons raise their alerts directly."""
        self.policy = service.DispatchPolicy.of(state.settings)
        self.arrived_at: dict[int, dt.datetime] = {}
        self.desk = Desk(
            state.db, rng, DISPATCHER, state.settings.time_zone, self.pace.plan_step_every_s
        )

    async def press_a_button(self) -> None:
        kind = self.rng.choice(KINDS)
        host = self.state.settings.host
        db = self.state.db
        site_kind = AT_SITES_OF_KIND.get(kind)
        only = None if site_kind is None else seed.accounts_of_kind(site_kind)
        if await press_a_panel(db, host, self.panel_port, self.rng, kind, only):  # a DC-09 frame
            return
        candidates = await sites.list(db, limit=1000, offset=0)
        candidates = [s for s in candidates if s.kind == site_kind] or candidates
        site = self.rng.choice(candidates)
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
        await raise_alert(self.state.db, self.state.sync_clock, new, "demo:button")

    async def dispatch_waiting(self) -> None:
        waiting = await repository.search(
            self.state.db, IncidentFilter(statuses=(IncidentStatus.NEW,))
        )
        now = dt.datetime.now(dt.UTC)
        for incident in waiting:
            if (now - incident.created_at).total_seconds() < self.pace.dispatch_after_s:
                continue
            nearest = await deadlines.suggest_crews(self.state.db, incident)
            if nearest:
                await service.dispatch(
                    self.state.db,
                    self.state.sync_clock,
                    incident.id,
                    DispatchIn(crew_id=nearest[0].crew_id),
                    DISPATCHER,
                    self.policy,
                )

    async def move_crews(self) -> None:
        active = await repository.search(
            self.state.db,
            IncidentFilter(
                statuses=(
                    IncidentStatus.DISPATCHED,
                    IncidentStatus.ACKNOWLEDGED,
                    IncidentStatus.EN_ROUTE,
                    IncidentStatus.ON_SCENE,
                )
            ),
        )
        for incident in active:
            if incident.crew_id is not None:
                await self.desk.work(incident.id)
                await self._advance(incident, incident.crew_id)

    async def _advance(self, incident: Incident, crew_id: int) -> None:
        crew = await crews.get(self.state.db, crew_id)
        actor = _crew_actor(crew.id, crew.name)
        if self.tablets is not None:
            tablet = await self.tablets.of(crew.id, crew.name)
            await self._advance_by_tablet(incident, tablet, actor, crew.lat, crew.lon)
            return
        match incident.status:
            case IncidentStatus.DISPATCHED:
                await self._status(incident, IncidentStatus.ACKNOWLEDGED, actor)
            case IncidentStatus.ACKNOWLEDGED:
                await self._status(incident, IncidentStatus.EN_ROUTE, actor)
            case IncidentStatus.EN_ROUTE:
                await self._drive(incident, crew.lat, crew.lon, actor)
            case IncidentStatus.ON_SCENE:
                await self._maybe_resolve(incident, actor)

    async def _advance_by_tablet(
        self,
        incident: Incident,
        tablet: Tablet,
        actor: Principal,
        lat: float | None,
        lon: float | None,
    ) -> None:
        """Record the crew's next step on its tablet; drive and resolve once the server has it."""
        known = [incident.status]
        if (recorded := tablet.recorded.get(incident.id)) is not None:
            known.append(recorded)
        newest = max((s for s in known if s in PROGRESS), key=PROGRESS.index, default=None)
        match newest:
            case IncidentStatus.DISPATCHED | IncidentStatus.ACKNOWLEDGED:
                step = PROGRESS[PROGRESS.index(newest) + 1]
                tablet.record_status(incident.id, step)
            case IncidentStatus.EN_ROUTE if incident.status is IncidentStatus.EN_ROUTE:
                if await self._step_towards(incident, lat, lon, actor):
                    self.arrived_at[incident.id] = dt.datetime.now(dt.UTC)
                    tablet.record_status(incident.id, IncidentStatus.ON_SCENE)
            case IncidentStatus.ON_SCENE if incident.status is IncidentStatus.ON_SCENE:
                await self._resolve_with_report(incident, tablet, actor)
            case _:
                return  # the tablet's newest step has not reached the server yet

    async def _resolve_with_report(
        self, incident: Incident, tablet: Tablet, actor: Principal
    ) -> None:
        arrived = self.arrived_at.get(incident.id, incident.updated_at)
        if (dt.datetime.now(dt.UTC) - arrived).total_seconds() < self.pace.on_scene_for_s:
            return
        await self.desk.finish(incident.id)  # a plan's open required step holds the close
        outcome = self.rng.choice(OUTCOMES)
        tablet.write_report(incident.id, outcome, self.rng.choice(NARRATIVES))
        detained = self.rng.randint(1, 2) if outcome is Outcome.PERSONS_DETAINED else 0
        resolved = ResolveIn(outcome=outcome, persons_detained=detained)
        await service.resolve(self.state.db, self.state.sync_clock, incident.id, resolved, actor)
        self.arrived_at.pop(incident.id, None)

    async def _drive(
        self, incident: Incident, lat: float | None, lon: float | None, actor: Principal
    ) -> None:
        if await self._step_towards(incident, lat, lon, actor):
            self.arrived_at[incident.id] = dt.datetime.now(dt.UTC)
            await self._status(incident, IncidentStatus.ON_SCENE, actor)

    async def _step_towards(
        self, incident: Incident, lat: float | None, lon: float | None, actor: Principal
    ) -> bool:
        """One drive step towards the site; True once the crew is there."""
        target_lat, target_lon = incident.site.lat, incident.site.lon
        if target_lat is None or target_lon is None or lat is None or lon is None:
            return True
        if haversine_m(lat, lon, target_lat, target_lon) < ARRIVED_M:
            return True
        await crews_service.record_position(
            self.state.db,
            actor,
            lat + (target_lat - lat) * STEP_FRACTION,
            lon + (target_lon - lon) * STEP_FRACTION,
            None,
        )
        return False

    async def _maybe_resolve(self, incident: Incident, actor: Principal) -> None:
        arrived = self.arrived_at.get(incident.id, incident.updated_at)
        if (dt.datetime.now(dt.UTC) - arrived).total_seconds() < self.pace.on_scene_for_s:
            return
        await self.desk.finish(incident.id)
        outcome = self.rng.choice(OUTCOMES)
        detained = self.rng.randint(1, 2) if outcome is Outcome.PERSONS_DETAINED else 0
        resolved = ResolveIn(outcome=outcome, persons_detained=detained)
        await service.resolve(self.state.db, self.state.sync_clock, incident.id, resolved, actor)
        self.arrived_at.pop(incident.id, None)

    async def _status(self, incident: Incident, status: IncidentStatus, actor: Principal) -> None:
        body = StatusIn(status=status, op_id=str(uuid.uuid4()), device_at=dt.datetime.now(dt.UTC))
        await service.change_status(self.state.db, self.state.sync_clock, incident.id, body, actor)


async def run(state: AppState, panel_port: int | None, seed: int | None = None) -> None:
    """Simulate until cancelled; `panel_port` is our own DC-09 receiver's (None: not running)."""
    rng = random.Random(seed)
    settings = state.settings
    tablets = Tablets(
        state.db,
        settings.data_path / "demo-tablets",
        server_url(settings.host, settings.http_port),
        rng,
    )
    simulator = Simulator(state, rng, tablets, panel_port=panel_port)
    try:
        await _loop(simulator, tablets)
    finally:
        await tablets.close()


async def _loop(simulator: Simulator, tablets: Tablets) -> None:
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
        await tablets.tick()
        await asyncio.sleep(TICK_S)
