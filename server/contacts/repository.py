"""Contacts and their call attempts: rows in, Structs out.

`contacts_of_site` is the read other domains use (outbound notice reads the key-holders it
messages); they never touch the table.

Writes: contacts, contact_calls
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import msgspec

from server.contacts.schemas import Call, Contact, Hours
from server.contacts.tables import Contact as ContactTable
from server.contacts.tables import ContactCall as CallTable
from server.crud import Registry, Row
from server.db import Database

_strings = msgspec.json.Decoder(list[str])
_hours = msgspec.json.Decoder(list[Hours])
_encode = msgspec.json.Encoder()


def _to_contact(row: Row) -> Contact:
    return Contact(
        id=row["id"],
        site_id=row["site_id"],
        name=row["name"],
        role=row["role"],
        phones=_strings.decode(row["phones"]),
        languages=_strings.decode(row["languages"]),
        hours=_hours.decode(row["hours"]),
        order=row["position"],
        has_password=bool(row["has_password"]),
        telegram_chat_id=row["telegram_chat_id"],
        note=row["note"],
    )


def to_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's fields (as `ContactIn`/`ContactPatch` name them) as its table's columns."""
    columns: dict[str, Any] = {}
    for key, value in values.items():
        if key in {"phones", "languages", "hours"}:
            columns[key] = _encode.encode(value).decode()
        elif key == "order":
            columns["position"] = value
        else:
            columns[key] = value
    return columns


contacts = Registry(ContactTable, "contact", _to_contact)


async def contacts_of_site(db: Database, site_id: int) -> list[Contact]:
    """The site's contacts in call order (ties: the one added first)."""
    rows = await db.run(
        ContactTable.select()
        .where(ContactTable.site_id == site_id)
        .order_by(ContactTable.position)
        .order_by(ContactTable.id)
    )
    return [_to_contact(row) for row in rows]


async def find_by_name(db: Database, site_id: int, name: str) -> Contact | None:
    rows = await db.run(
        ContactTable.select()
        .where((ContactTable.site_id == site_id) & (ContactTable.name == name))
        .order_by(ContactTable.id)
        .limit(1)
    )
    return _to_contact(rows[0]) if rows else None


async def next_position(db: Database, site_id: int) -> int:
    """One past the last contact's place in the site's call order."""
    row = await db.fetch_one(
        "SELECT MAX(position) AS last FROM contacts WHERE site_id = {}", site_id
    )
    last = None if row is None else row["last"]
    return 0 if last is None else int(last) + 1


def _to_call(row: Row) -> Call:
    at: dt.datetime = row["at"]
    return msgspec.convert({**row, "at": at.astimezone(dt.UTC).isoformat()}, Call, strict=False)


async def add_call(db: Database, values: Mapping[str, Any]) -> Call:
    columns = CallTable._meta.columns  # noqa: SLF001  (piccolo's documented table metadata)
    rows = await db.run(CallTable.insert(CallTable(**values)).returning(*columns))
    return _to_call(rows[0])


async def calls_of_incident(db: Database, incident_id: int) -> list[Call]:
    rows = await db.run(
        CallTable.select().where(CallTable.incident_id == incident_id).order_by(CallTable.id)
    )
    return [_to_call(row) for row in rows]


async def site_ids_by_name(db: Database) -> dict[str, int]:
    """Every site's id by its name, for an import that names sites (read, never written here)."""
    rows = await db.fetch("SELECT id, name FROM sites")
    return {str(row["name"]): int(row["id"]) for row in rows}
