"""What the incident view shows of an alarm's verification media."""

from __future__ import annotations

from server.db import Database
from server.incidents.service import require as require_incident
from server.verification import repository
from server.verification.schemas import IncidentMedia


async def incident_media(db: Database, incident_id: int) -> IncidentMedia:
    """The panel links its alerts carried and the camera snapshots taken for them (pending and
    failed ones too: the dispatcher sees one is coming, or why none came)."""
    await require_incident(db, incident_id)
    return IncidentMedia(
        links=await repository.links_of_incident(db, incident_id),
        snapshots=await repository.of_incident(db, incident_id),
    )
