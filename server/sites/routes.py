from server.auth.schemas import Role
from server.auth.scope import site_reach
from server.crud_routes import registry_router
from server.import_routes import import_route
from server.sites.imports import import_sites
from server.sites.repository import sites
from server.sites.schemas import Site, SiteIn, SitePatch
from server.sites.service import create_site, update_site

router = registry_router(
    path="/api/v1/sites",
    tag="sites",
    registry=sites,
    types=(SiteIn, SitePatch, Site),
    create=create_site,
    update=update_site,
    read_roles=(Role.ADMIN, Role.DISPATCHER, Role.CREW),
    extra=[import_route(import_sites, "sites")],
    reach=site_reach,
)
