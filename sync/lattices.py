"""The status vocabularies of synced entities, and the order of the statuses that only move
forward.

A lattice status merges by rank: the higher rank wins whatever order the writes arrive in, so a
stale offline ``draft`` can never pull a report back from ``submitted``. Each value of a lattice
has its own rank, so two writes of one rank wrote the same value.

An incident's status is no lattice: only the server writes the synced incident, each write on
top of what it replaced, so it merges last-writer-wins (sync/schema.py) and may move back (a
re-dispatch). A crew's status change is an event the server applies through its lifecycle.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


class IncidentStatus(enum.StrEnum):
    """The incident lifecycle of DESIGN §4: the server's incident, and what a crew reports."""

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

    REPORT_STATUS = "report_status"


# The one table: every status value and its rank, one rank per value.
RANKS: Final[Mapping[Lattice, Mapping[str, int]]] = MappingProxyType(
    {
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
