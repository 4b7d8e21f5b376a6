from server.auth.schemas import Role
from server.crews.imports import import_crews
from server.crews.repository import crews
from server.crews.schemas import Crew, CrewIn, CrewPatch
from server.crews.service import change_crew, create_crew, delete_crew, own_crew
from server.crud_routes import registry_router
from server.db import current
from server.import_routes import import_route


async def _update(crew_id: int, patch: CrewPatch) -> Crew:
    return await change_crew(current(), crew_id, patch)


async def _delete(crew_id: int) -> None:
    await delete_crew(current(), crew_id)


router = registry_router(
    path="/api/v1/crews",
    tag="crews",
    registry=crews,
    types=(CrewIn, CrewPatch, Crew),
    create=create_crew,
    update=_update,
    read_roles=(Role.admin, Role.dispatcher, Role.crew),
    extra=[import_route(import_crews, "crews")],
    remove=_delete,
    only_item=own_crew,
)
