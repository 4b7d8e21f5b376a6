"""Dispatch deadlines: re-send an unacknowledged dispatch, then escalate to the dispatcher.

The deadlines live in the `dispatches` table, so a restart resumes them. Each step claims its row
with a conditional UPDATE, so two nodes polling the same database never act twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math

import msgspec

from server.crews import repository as crews_repository
from server.crews.schemas import Crew
from server.db import Database
from server.incidents import dispatches, repository
from server.incidents.dispatches import OpenDispatch
from server.incidents.navigation import destination_of
from server.incidents.schemas import CrewSuggestion, Incident
from server.incidents.service import SYSTEM_ACTOR, DispatchEvent, record
from server.incidents.timeline import EntryFacts
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM, crew_stream
from server.routing import Eta, EtaEstimator, StraightLineEstimate, make_estimator
from server.settings import Settings
from sync.lattices import IncidentStatus

logger = logging.getLogger(__name__)
STRAIGHT_LINE = StraightLineEstimate()


def estimator_for(settings: Settings) -> EtaEstimator:
    """The ETA estimator the settings name: a routing engine's, or straight lines without one
    (each query opens its own client, so building one per request costs nothing)."""
    return make_estimator(
        settings.routing_url,
        settings.eta_detour_factor,
        settings.eta_speed_kmh,
        settings.routing_engine,
    )


class Escalation(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: int
    crew_id: int
    waited_s: float
    proposed: CrewSuggestion | None


async def suggest_crews(
    db: Database,
    incident: Incident,
    exclude: set[int] | None = None,
    estimator: EtaEstimator = STRAIGHT_LINE,
    now: dt.datetime | None = None,
) -> list[CrewSuggestion]:
    """Available (or returning) crews with a known position, quickest first, each with its
    reason."""
    site = incident.site
    if site.lat is None or site.lon is None:
        return []
    crews = [
        crew
        for crew in await crews_repository.suggestible_with_position(db)
        if crew.lat is not None and crew.lon is not None and crew.id not in (exclude or set())
    ]
    etas = await estimator.etas([(c.lat, c.lon) for c in crews], (site.lat, site.lon))  # type: ignore[misc]
    moment = now or dt.datetime.now(dt.UTC)
    found = [_suggestion(crew, eta, moment) for crew, eta in zip(crews, etas, strict=True)]
    return sorted(found, key=lambda suggestion: suggestion.eta_s)


def _suggestion(crew: Crew, eta: Eta, now: dt.datetime) -> CrewSuggestion:
    age_s = None if crew.position_at is None else max(0.0, (now - crew.position_at).total_seconds())
    minutes = max(1, math.ceil(eta.duration_s / 60))
    estimate = " (estimate)" if eta.source == "estimate" else ""
    age = "position age unknown" if age_s is None else f"position {_age_text(age_s)} old"
    return CrewSuggestion(
        crew_id=crew.id,
        name=crew.name,
        distance_m=eta.distance_m,
        eta_s=eta.duration_s,
        eta_source=eta.source,
        position_age_s=age_s,
        reason=f"{eta.distance_m / 1000:.1f} km, ETA {minutes} min{estimate}, {age}",
    )


def _age_text(age_s: float) -> str:
    return f"{age_s:.0f} s" if age_s < 120 else f"{age_s / 60:.0f} min"


async def _resend(db: Database, due: OpenDispatch, now: dt.datetime) -> None:
    async with db.write():
        if not await dispatches.mark_resent(db, due.id):
            return
        incident = await repository.find(db, due.incident_id, lock=True)
        if incident is None or incident.status is not IncidentStatus.DISPATCHED:
            return
        event = DispatchEvent(
            dispatch_id=due.id,
            incident=incident,
            resend=True,
            destination=destination_of(incident.site),
        )
        await outbox.append(db, crew_stream(due.crew_id), "dispatch", event)
        await record(
            db,
            EntryFacts(
                incident_id=due.incident_id,
                at=now,
                actor=SYSTEM_ACTOR,
                kind="dispatch_resent",
                data={"crew_id": due.crew_id},
            ),
        )
    logger.info("dispatch %s not acknowledged: re-sent to crew %s", due.id, due.crew_id)


async def _escalate(
    db: Database, due: OpenDispatch, now: dt.datetime, estimator: EtaEstimator
) -> None:
    async with db.write():
        if not await dispatches.mark_escalated(db, due.id):
            return
        incident = await repository.find(db, due.incident_id, lock=True)
        if incident is None or incident.status is not IncidentStatus.DISPATCHED:
            return
        nearest = await suggest_crews(db, incident, {due.crew_id}, estimator, now)
        escalation = Escalation(
            incident_id=incident.id,
            crew_id=due.crew_id,
            waited_s=(now - due.created_at).total_seconds(),
            proposed=nearest[0] if nearest else None,
        )
        await outbox.append(db, DISPATCH_STREAM, "escalation", escalation)
        await record(
            db,
            EntryFacts(
                incident_id=incident.id,
                at=now,
                actor=SYSTEM_ACTOR,
                kind="escalated",
                data={
                    "crew_id": due.crew_id,
                    "proposed_crew_id": None if not nearest else nearest[0].crew_id,
                },
            ),
        )
    logger.warning("dispatch %s not acknowledged: escalated", due.id)


async def check_once(
    db: Database, now: dt.datetime, estimator: EtaEstimator = STRAIGHT_LINE
) -> None:
    for due in await dispatches.due_for_resend(db, now):
        await _resend(db, due, now)
    for due in await dispatches.due_for_escalation(db, now):
        await _escalate(db, due, now, estimator)


async def run_forever(db: Database, poll_s: float, estimator: EtaEstimator = STRAIGHT_LINE) -> None:
    while True:
        try:
            await check_once(db, dt.datetime.now(dt.UTC), estimator)
        except Exception:  # the loop must outlive one bad row
            logger.exception("dispatch deadline check failed")
        await asyncio.sleep(poll_s)
