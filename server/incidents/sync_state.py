"""An incident as devices see it through sync: the server's projection of the incident row.

Every change the server makes to an incident (its announcement, a dispatch, a status change
from any door, a resolve with its outcome, a cancel) writes the incident's synced entity in the
same transaction (server/sync/writes.py), so a tablet that pulls sees what the dispatcher did. Only
the server writes this entity: a crew's synced status change is an event the server applies
through its lifecycle (server/incidents/sync_rules.py), and this projection follows.

An incident reaches the sync store when it is announced (server/alerts/service.py raises it), in
its own scope and its district's: the crews of the district pull a new incident before anyone
is sent (server/sync/scopes.py says who reads which scope).
"""

from __future__ import annotations

from server.db import Database
from server.incidents.schemas import Incident
from server.sync.writes import write_as_server
from sync.entities import EntityKind, IncidentFields
from sync.hlc import HybridClock
from sync.mutations import fields_values
from sync.server_ids import crew_uuid, incident_uuid


def synced(incident: Incident) -> IncidentFields:
    """The fields devices see."""
    crew = None if incident.crew_id is None else crew_uuid(incident.crew_id)
    return IncidentFields(status=incident.status, crew_id=crew, outcome=incident.outcome)


async def project(db: Database, clock: HybridClock, incident: Incident) -> None:
    """Write the incident's synced entity; runs inside the change's write transaction."""
    values = fields_values(synced(incident))
    await write_as_server(db, clock, EntityKind.INCIDENT, incident_uuid(incident.id), values)
