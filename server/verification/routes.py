"""An incident's verification media over HTTP; the snapshot files themselves play through the
recordings' evidence route (server/evidence/file_routes.py), which logs every view."""

from litestar import Router, get

from server.auth.guards import allow
from server.auth.schemas import Role
from server.http_params import PathId
from server.state import Posbon
from server.verification import service
from server.verification.schemas import IncidentMedia

READERS = allow(Role.ADMIN, Role.DISPATCHER)


@get("/{incident_id:int}/media", **READERS, summary="The incident's verification media")
async def incident_media(posbon: Posbon, incident_id: PathId) -> IncidentMedia:
    return await service.incident_media(posbon.db, incident_id)


router = Router(path="/api/v1/incidents", tags=["incidents"], route_handlers=[incident_media])
