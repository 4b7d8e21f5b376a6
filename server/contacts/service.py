"""Contacts: keeping a site's call list, and the calls a dispatcher makes about an incident.

A call is stored, written on the incident's timeline (kind `call`) and shown on the dispatcher
stream (`call`) in one write transaction that holds the incident's row lock, as every timeline
entry is (server/incidents/service.py `record`). Phones are kept normalized (digits, an optional
leading +), so the number a dispatcher reports is compared the way it is stored.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Final

import msgspec

from server.auth.schemas import Principal
from server.contacts import repository
from server.contacts.availability import availability
from server.contacts.repository import contacts
from server.contacts.schemas import (
    Call,
    CallIn,
    CallResult,
    Contact,
    ContactIn,
    ContactPatch,
    ContactToCall,
    WhoToCall,
)
from server.db import Database
from server.errors import NotFound, Unprocessable
from server.incidents import repository as incidents
from server.incidents.service import record
from server.incidents.timeline import EntryFacts
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.sites.repository import sites

_PUNCTUATION: Final = re.compile(r"[ ()\-]")


def normalize_phone(phone: str) -> str:
    return _PUNCTUATION.sub("", phone)


def _values(data: ContactIn | ContactPatch) -> dict[str, object]:
    values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    phones = values.get("phones")
    if isinstance(phones, list):
        values["phones"] = [normalize_phone(phone) for phone in phones]
    return values


async def create_contact(db: Database, site_id: int, data: ContactIn) -> Contact:
    async with db.write():
        await sites.get(db, site_id)
        values = _values(data)
        if values["order"] is None:
            values["order"] = await repository.next_position(db, site_id)
        now = dt.datetime.now(dt.UTC)
        columns = repository.to_columns(values)
        return await contacts.create(
            db, {**columns, "site_id": site_id, "created_at": now, "updated_at": now}
        )


async def update_contact(db: Database, contact_id: int, patch: ContactPatch) -> Contact:
    async with db.write():
        await contacts.get(db, contact_id)
        changes = repository.to_columns(_values(patch))
        changes["updated_at"] = dt.datetime.now(dt.UTC)
        return await contacts.update(db, contact_id, changes)


async def delete_contact(db: Database, contact_id: int) -> None:
    async with db.write():
        await contacts.delete(db, contact_id)


async def list_contacts(db: Database, site_id: int) -> list[Contact]:
    await sites.get(db, site_id)
    return await repository.contacts_of_site(db, site_id)


async def who_to_call(
    db: Database, incident_id: int, time_zone: str, now: dt.datetime
) -> WhoToCall:
    """The incident site's contacts, the ones available now first, each with its calls."""
    incident = await incidents.find(db, incident_id)
    if incident is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    site_id = incident.site.id
    listed = [] if site_id is None else await repository.contacts_of_site(db, site_id)
    calls = await repository.calls_of_incident(db, incident_id)
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    entries = []
    for contact in listed:
        found = availability(contact.hours, local)
        entries.append(
            ContactToCall(
                contact=contact,
                available_now=found.available_now,
                reason=found.reason,
                hours=found.hours,
                calls=[call for call in calls if call.contact_id == contact.id],
            )
        )
    entries.sort(key=lambda entry: not entry.available_now)  # stable: call order kept
    return WhoToCall(
        incident_id=incident_id, site_id=site_id, contacts=entries, results=list(CallResult)
    )


async def incident_calls(db: Database, incident_id: int) -> list[Call]:
    if await incidents.find(db, incident_id) is None:
        raise NotFound(f"There is no incident with id {incident_id}.")
    return await repository.calls_of_incident(db, incident_id)


def _check_phone(contact: Contact, phone: str) -> str:
    normalized = normalize_phone(phone)
    if normalized not in contact.phones:
        raise Unprocessable(
            f"{phone} is not a phone of contact {contact.id}; use one of its phones.",
            code="phone_not_of_contact",
        )
    return normalized


async def record_call(db: Database, incident_id: int, body: CallIn, who: Principal) -> Call:
    """Store one call attempt and put it on the incident's timeline and the dispatcher stream."""
    async with db.write():
        incident = await incidents.find(db, incident_id, lock=True)  # the timeline's tail is ours
        if incident is None:
            raise NotFound(f"There is no incident with id {incident_id}.")
        contact = await contacts.find(db, body.contact_id)
        if contact is None or contact.site_id != incident.site.id:
            raise Unprocessable(
                f"Contact {body.contact_id} is not on the list of incident {incident_id}'s "
                "site; pick a contact from who to call.",
                code="unknown_contact",
            )
        phone = _check_phone(contact, body.phone)
        now = dt.datetime.now(dt.UTC)
        call = await repository.add_call(
            db,
            {
                "incident_id": incident_id,
                "contact_id": contact.id,
                "contact_name": contact.name,
                "phone": phone,
                "result": body.result.value,
                "note": body.note,
                "actor": who.actor,
                "at": now,
            },
        )
        data = {
            "call_id": call.id,
            "contact_id": contact.id,
            "contact": contact.name,
            "phone": phone,
            "result": call.result.value,
            "note": call.note,
        }
        facts = EntryFacts(incident_id=incident_id, at=now, actor=who.actor, kind="call", data=data)
        await record(db, facts)
        await outbox.append(db, DISPATCH_STREAM, "call", call)
    return call
