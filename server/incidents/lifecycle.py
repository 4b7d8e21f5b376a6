"""The incident state machine of DESIGN §4, as one table.

    new → dispatched → acknowledged → en_route → on_scene → resolved
    any open state → cancelled | false_alarm

A crew may skip forward (a tablet that reports "on scene" has evidently acknowledged) and nothing
moves backwards. Dispatching is its own action (`can_dispatch`): a dispatcher may re-dispatch an
open incident that no crew has reached yet to another crew.
"""

from __future__ import annotations

import enum
from typing import Final


class Status(enum.StrEnum):
    new = "new"
    dispatched = "dispatched"
    acknowledged = "acknowledged"
    en_route = "en_route"
    on_scene = "on_scene"
    resolved = "resolved"
    cancelled = "cancelled"
    false_alarm = "false_alarm"


class Outcome(enum.StrEnum):
    crime_prevented = "crime_prevented"
    persons_detained = "persons_detained"
    administrative_violation = "administrative_violation"
    crime_solved = "crime_solved"
    false_alarm = "false_alarm"
    medical = "medical"
    other = "other"


CLOSED: Final = frozenset({Status.resolved, Status.cancelled, Status.false_alarm})
_ABORT: Final = frozenset({Status.cancelled, Status.false_alarm})
_DISPATCHABLE: Final = frozenset(
    {Status.new, Status.dispatched, Status.acknowledged, Status.en_route}
)

TRANSITIONS: Final[dict[Status, frozenset[Status]]] = {
    Status.new: frozenset({Status.dispatched}) | _ABORT,
    Status.dispatched: frozenset({Status.acknowledged, Status.en_route, Status.on_scene}) | _ABORT,
    Status.acknowledged: frozenset({Status.en_route, Status.on_scene}) | _ABORT,
    Status.en_route: frozenset({Status.on_scene, Status.resolved}) | _ABORT,
    Status.on_scene: frozenset({Status.resolved}) | _ABORT,
    Status.resolved: frozenset(),
    Status.cancelled: frozenset(),
    Status.false_alarm: frozenset(),
}

# What a crew's own status becomes when its incident reaches a status.
CREW_STATUS_FOR: Final[dict[Status, str]] = {
    Status.dispatched: "dispatched",
    Status.acknowledged: "dispatched",
    Status.en_route: "en_route",
    Status.on_scene: "on_scene",
    Status.resolved: "available",
    Status.cancelled: "available",
    Status.false_alarm: "available",
}


def can_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def can_dispatch(current: Status) -> bool:
    return current in _DISPATCHABLE


def is_open(status: Status) -> bool:
    return status not in CLOSED
