"""The notifications table; migration 0021_notifications.py creates it with plain DDL."""

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Notification(Table, tablename="notifications"):
    """One notice to one recipient over one channel, from queued to its delivery receipt.

    The recipient's name and address are copied in, so the record still reads right after the
    contact is changed or deleted."""

    id: Serial
    incident_id = Integer()
    channel = Varchar(length=16)
    contact_id = Integer(null=True, default=None)
    recipient_name = Varchar(length=200)
    address = Varchar(length=64)
    template = Varchar(length=32)
    language = Varchar(length=8)
    body = Text()
    state = Varchar(length=16)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    provider_id = Varchar(length=80, null=True, default=None)
    last_error = Text(default="")
    requested_by = Varchar(length=120)
    created_at = Timestamptz()
    updated_at = Timestamptz()
