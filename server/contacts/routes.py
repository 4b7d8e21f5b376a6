"""/api/v1: a site's contacts, and who to call about an incident and the calls made.

GET, POST     /sites/{site_id}/contacts        a site's call list (admin writes, dispatchers read)
GET, PATCH,
DELETE        /contacts/{contact_id}           one contact
POST          /contacts/import                 CSV (server/contacts/imports.py)
GET           /incidents/{incident_id}/contacts  who to call now, with the calls so far
GET, POST     /incidents/{incident_id}/calls     call attempts and their results
"""

import datetime as dt

from litestar import Router, delete, get, patch, post

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.contacts import service
from server.contacts.imports import import_contacts
from server.contacts.repository import contacts
from server.contacts.schemas import Call, CallIn, Contact, ContactIn, ContactPatch, WhoToCall
from server.http_params import AnyRequest, JSONBody, PathId
from server.import_routes import import_route
from server.state import Posbon

ADMIN = allow(Role.ADMIN)
READERS = allow(Role.ADMIN, Role.DISPATCHER)


@get("/sites/{site_id:int}/contacts", **READERS, summary="A site's contacts in call order")
async def list_contacts(posbon: Posbon, site_id: PathId) -> list[Contact]:
    return await service.list_contacts(posbon.db, site_id)


@post("/sites/{site_id:int}/contacts", **ADMIN, summary="Add a contact to a site")
async def create_contact(posbon: Posbon, site_id: PathId, data: JSONBody[ContactIn]) -> Contact:
    return await service.create_contact(posbon.db, site_id, data)


@get("/contacts/{contact_id:int}", **READERS, summary="One contact")
async def get_contact(posbon: Posbon, contact_id: PathId) -> Contact:
    found: Contact = await contacts.get(posbon.db, contact_id)
    return found


@patch("/contacts/{contact_id:int}", **ADMIN, summary="Change a contact")
async def update_contact(
    posbon: Posbon, contact_id: PathId, data: JSONBody[ContactPatch]
) -> Contact:
    return await service.update_contact(posbon.db, contact_id, data)


@delete("/contacts/{contact_id:int}", **ADMIN, summary="Delete a contact")
async def delete_contact(posbon: Posbon, contact_id: PathId) -> None:
    await service.delete_contact(posbon.db, contact_id)


@get(
    "/incidents/{incident_id:int}/contacts",
    **READERS,
    summary="Who to call now",
    description="The incident site's contacts: those available now (by their hours, in the "
    "deployment's time zone) first, each group in call order, each with its calls so far.",
)
async def who_to_call(posbon: Posbon, incident_id: PathId) -> WhoToCall:
    now = dt.datetime.now(dt.UTC)
    return await service.who_to_call(posbon.db, incident_id, posbon.settings.time_zone, now)


@get("/incidents/{incident_id:int}/calls", **READERS, summary="Calls made about an incident")
async def list_calls(posbon: Posbon, incident_id: PathId) -> list[Call]:
    return await service.incident_calls(posbon.db, incident_id)


@post("/incidents/{incident_id:int}/calls", **READERS, summary="Record a call and its result")
async def record_call(
    request: AnyRequest, posbon: Posbon, incident_id: PathId, data: JSONBody[CallIn]
) -> Call:
    return await service.record_call(posbon.db, incident_id, data, principal_of(request))


router = Router(
    path="/api/v1",
    tags=["contacts"],
    route_handlers=[
        list_contacts,
        create_contact,
        get_contact,
        update_contact,
        delete_contact,
        Router(path="/contacts", route_handlers=[import_route(import_contacts, "contacts")]),
        who_to_call,
        list_calls,
        record_call,
    ],
)
