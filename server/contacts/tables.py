"""The contact tables; migration 0018_contacts.py creates them with plain DDL.

Lists (phones, languages, hours) are stored as JSON text: they are read and written whole with
their contact, never queried by their parts.
"""

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Contact(Table, tablename="contacts"):
    """One person to call about a site: the site's key-holders, in the order they are called."""

    id: Serial
    site_id = Integer(index=True)
    name = Varchar(length=200)
    role = Varchar(length=40, default="keyholder")
    phones = Text(default="[]")
    languages = Text(default="[]")
    hours = Text(default="[]")
    position = Integer(default=0)
    has_password = Boolean(default=False)
    telegram_chat_id = Varchar(length=64, null=True, default=None)
    note = Varchar(length=400, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ContactCall(Table, tablename="contact_calls"):
    """One call a dispatcher made about an incident and what came of it (append-only).

    The contact's name is copied in so the record still reads right after the contact is
    changed or deleted."""

    id: Serial
    incident_id = Integer(index=True)
    contact_id = Integer()
    contact_name = Varchar(length=200)
    phone = Varchar(length=32)
    result = Varchar(length=20)
    note = Varchar(length=400, default="")
    actor = Varchar(length=120)
    at = Timestamptz()
