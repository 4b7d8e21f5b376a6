"""The incident vocabulary as the web apps receive it: the statuses, the moves between them and
the outcomes, built from `lifecycle` and the sync library's enums, never written out twice.

The dispatcher page and the crew app find it embedded in their page shell (so the crew app has it
offline too); `GET /api/v1/incidents/vocabulary` serves the same Struct.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from server.incidents.lifecycle import CLOSED, DISPATCHABLE, TRANSITIONS
from sync.entities import Outcome
from sync.lattices import IncidentStatus

ELEMENT_ID: Final = "posbon-vocabulary"
"""The id of the `<script type="application/json">` element a page shell carries it in."""


class Vocabulary(msgspec.Struct, frozen=True, kw_only=True):
    statuses: Annotated[
        list[IncidentStatus], msgspec.Meta(description="Every status, in lifecycle order.")
    ]
    closed: Annotated[list[IncidentStatus], msgspec.Meta(description="The final statuses.")]
    transitions: Annotated[
        dict[IncidentStatus, list[IncidentStatus]],
        msgspec.Meta(description="Status → the statuses it may move to (dispatching aside)."),
    ]
    dispatchable: Annotated[
        list[IncidentStatus], msgspec.Meta(description="The statuses a crew may be sent in.")
    ]
    outcomes: Annotated[
        list[Outcome], msgspec.Meta(description="Every outcome, in the order a form lists them.")
    ]


def _in_order(statuses: frozenset[IncidentStatus]) -> list[IncidentStatus]:
    return [status for status in IncidentStatus if status in statuses]


VOCABULARY: Final = Vocabulary(
    statuses=list(IncidentStatus),
    closed=_in_order(CLOSED),
    transitions={status: _in_order(targets) for status, targets in TRANSITIONS.items()},
    dispatchable=_in_order(DISPATCHABLE),
    outcomes=list(Outcome),
)
