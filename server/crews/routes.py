from server.auth.schemas import Role
from server.crews.imports import import_crews
from server.crews.repository import crews
from server.crews.schemas import Crew, CrewIn, CrewPatch
from server.crews.service import change_crew, create_crew, delete_crew, own_crew
from server.crud_routes import registry_router
from server.import_routes import import_route

router = registry_router(
    path="/api/v1/crews",
    tag="crews",
    registry=crews,
    types=(CrewIn, CrewPatch, Crew),
    create=create_crew,
    update=change_crew,
    read_roles=(Role.ADMIN, Role.DISPATCHER, Role.CREW),
    extra=[import_route(import_crews, "crews")],
    remove=delete_crew,
    only_item=own_crew,
)
