"""Status fields that only move forward, with their order in one table.

A status merges by rank: the higher rank wins whatever order the writes arrive in, so a stale
offline ``en_route`` can never pull an incident back from ``on_scene``. Terminal states share
the top rank; between two of them the later write (by HLC) wins and the other is kept as a
conflict, because "resolved" against "false alarm" is a disagreement a person must see.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


class IncidentStatus(enum.StrEnum):
    """The incident lifecycle of DESIGN §4, as a crew reports it."""

    NEW = "new"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    FALSE_ALARM = "false_alarm"


class ReportStatus(enum.StrEnum):
    """An incident report's review workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


class Lattice(enum.StrEnum):
    """The status lattices a field can follow."""

    INCIDENT_STATUS = "incident_status"
    REPORT_STATUS = "report_status"


_TERMINAL_RANK: Final = 5

# The one table: every status value and its rank. Equal ranks are peers (resolved to by HLC).
RANKS: Final[Mapping[Lattice, Mapping[str, int]]] = MappingProxyType(
    {
        Lattice.INCIDENT_STATUS: MappingProxyType(
            {
                IncidentStatus.NEW: 0,
                IncidentStatus.DISPATCHED: 1,
                IncidentStatus.ACKNOWLEDGED: 2,
                IncidentStatus.EN_ROUTE: 3,
                IncidentStatus.ON_SCENE: 4,
                IncidentStatus.RESOLVED: _TERMINAL_RANK,
                IncidentStatus.CANCELLED: _TERMINAL_RANK,
                IncidentStatus.FALSE_ALARM: _TERMINAL_RANK,
            }
        ),
        Lattice.REPORT_STATUS: MappingProxyType(
            {ReportStatus.DRAFT: 0, ReportStatus.SUBMITTED: 1, ReportStatus.REVIEWED: 2}
        ),
    }
)


def rank(lattice: Lattice, value: object) -> int:
    """The rank of ``value`` in ``lattice``; ValueError if it is not one of its states."""
    if not isinstance(value, str) or value not in RANKS[lattice]:
        raise ValueError(f"{value!r} is not a {lattice} value")
    return RANKS[lattice][value]
