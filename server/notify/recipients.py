"""Who a notice goes to: a contact of the incident's site (server/contacts), or the duty desk
the settings name; with the address the channel needs and the language to write in."""

from __future__ import annotations

from server.contacts.repository import contacts_of_site
from server.contacts.schemas import Contact
from server.db import Database
from server.errors import Conflict, Unprocessable
from server.incidents.schemas import Incident
from server.notify.schemas import Channel, NoticeIn, Recipient
from server.notify.templates import pick_language
from server.settings import Settings

DUTY_DESK_NAME = "duty desk"


async def resolve(
    db: Database, settings: Settings, incident: Incident, body: NoticeIn
) -> Recipient:
    if body.duty_desk == (body.contact_id is not None):
        raise Unprocessable(
            "Name exactly one recipient: contact_id (a contact of the incident's site) or "
            "duty_desk: true.",
            code="recipient_required",
        )
    if body.contact_id is None:
        return _duty_desk(settings, body)
    contact = await _contact_of(db, incident, body.contact_id)
    language = body.language or pick_language(contact.languages, settings.notify_language)
    address = _address_of(contact, body)
    return Recipient(contact_id=contact.id, name=contact.name, address=address, language=language)


def _duty_desk(settings: Settings, body: NoticeIn) -> Recipient:
    if body.channel is Channel.SMS:
        address = sms_address(settings.notify_duty_desk_phone)
        setting = "--notify-duty-desk-phone"
    else:
        address, setting = settings.notify_duty_desk_chat_id, "--notify-duty-desk-chat-id"
    if not address:
        raise Conflict(
            f"No duty desk is set for {body.channel.value}: start posbon with {setting}.",
            code="duty_desk_not_configured",
        )
    language = body.language or settings.notify_language
    return Recipient(contact_id=None, name=DUTY_DESK_NAME, address=address, language=language)


async def _contact_of(db: Database, incident: Incident, contact_id: int) -> Contact:
    site_id = incident.site.id
    contacts = [] if site_id is None else await contacts_of_site(db, site_id)
    for contact in contacts:
        if contact.id == contact_id:
            return contact
    raise Unprocessable(
        f"Contact {contact_id} is not a contact of this incident's site; "
        f"GET /api/v1/incidents/{incident.id}/contacts lists them.",
        code="contact_not_of_site",
    )


def _address_of(contact: Contact, body: NoticeIn) -> str:
    if body.channel is Channel.TELEGRAM:
        if not contact.telegram_chat_id:
            raise Unprocessable(
                f"Contact {contact.id} has no Telegram chat id; add one to the contact, or "
                "send an SMS.",
                code="contact_has_no_telegram",
            )
        return contact.telegram_chat_id
    if not contact.phones:
        raise Unprocessable(
            f"Contact {contact.id} has no phone number; add one to the contact first.",
            code="contact_has_no_phone",
        )
    if body.phone is None:
        return sms_address(contact.phones[0])
    if sms_address(body.phone) not in {sms_address(phone) for phone in contact.phones}:
        raise Unprocessable(
            f"{body.phone} is not a phone of contact {contact.id}; use one of its phones.",
            code="phone_not_of_contact",
        )
    return sms_address(body.phone)


def sms_address(phone: str) -> str:
    """A phone number as an SMSC reads a destination: its digits alone (+998 90 123-45-67 is
    998901234567)."""
    return "".join(char for char in phone if char.isdigit())
