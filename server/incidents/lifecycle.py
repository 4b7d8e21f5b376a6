"""The incident state machine of DESIGN §4, as one table.

    new → dispatched → acknowledged → en_route → on_scene → resolved
    any open state → resolved | cancelled | false_alarm

Every close records a disposition (an outcome; server/incidents/service.py checks it): a
dispatcher may resolve from any open status (the crew dealt with it before reporting each step,
or it was settled by phone), cancel with an outcome, or mark a false alarm.

A crew may skip forward (a tablet that reports "on scene" has evidently acknowledged) and nothing
moves backwards. Dispatching is its own action (`can_dispatch`): a dispatcher may re-dispatch an
open incident that no crew has reached yet to another crew.

The vocabulary itself, the statuses and the outcomes, is the sync library's
(`sync.lattices.IncidentStatus`, `sync.entities.Outcome`): tablets, server and both web apps
speak one set of values. This module holds only the moves between them.
"""

from __future__ import annotations

from typing import Final

from server.crews.schemas import CrewStatus
from sync.lattices import IncidentStatus

CLOSED: Final = frozenset(
    {IncidentStatus.RESOLVED, IncidentStatus.CANCELLED, IncidentStatus.FALSE_ALARM}
)
DISPATCHABLE: Final = frozenset(
    {
        IncidentStatus.NEW,
        IncidentStatus.DISPATCHED,
        IncidentStatus.ACKNOWLEDGED,
        IncidentStatus.EN_ROUTE,
    }
)

TRANSITIONS: Final[dict[IncidentStatus, frozenset[IncidentStatus]]] = {
    IncidentStatus.NEW: frozenset({IncidentStatus.DISPATCHED}) | CLOSED,
    IncidentStatus.DISPATCHED: frozenset(
        {IncidentStatus.ACKNOWLEDGED, IncidentStatus.EN_ROUTE, IncidentStatus.ON_SCENE}
    )
    | CLOSED,
    IncidentStatus.ACKNOWLEDGED: frozenset({IncidentStatus.EN_ROUTE, IncidentStatus.ON_SCENE})
    | CLOSED,
    IncidentStatus.EN_ROUTE: frozenset({IncidentStatus.ON_SCENE}) | CLOSED,
    IncidentStatus.ON_SCENE: CLOSED,
    IncidentStatus.RESOLVED: frozenset(),
    IncidentStatus.CANCELLED: frozenset(),
    IncidentStatus.FALSE_ALARM: frozenset(),
}

# What a crew's own status becomes when its incident reaches a status.
CREW_STATUS_FOR: Final[dict[IncidentStatus, CrewStatus]] = {
    IncidentStatus.DISPATCHED: CrewStatus.DISPATCHED,
    IncidentStatus.ACKNOWLEDGED: CrewStatus.DISPATCHED,
    IncidentStatus.EN_ROUTE: CrewStatus.EN_ROUTE,
    IncidentStatus.ON_SCENE: CrewStatus.ON_SCENE,
    IncidentStatus.RESOLVED: CrewStatus.AVAILABLE,
    IncidentStatus.CANCELLED: CrewStatus.AVAILABLE,
    IncidentStatus.FALSE_ALARM: CrewStatus.AVAILABLE,
}


def can_move(current: IncidentStatus, target: IncidentStatus) -> bool:
    return target in TRANSITIONS[current]


def can_dispatch(current: IncidentStatus) -> bool:
    return current in DISPATCHABLE


def is_open(status: IncidentStatus) -> bool:
    return status not in CLOSED
