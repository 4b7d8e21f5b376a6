"""`posbon contacts import FILE` and `POST /api/v1/contacts/import`: contacts from a sheet.

Columns: site,name,role,phones,languages,hours,order,has_password,telegram_chat_id,note. `site`
is the site's name (as `posbon sites import` wrote it); phones and languages are separated by
`;`, hours are written as server/contacts/hours_text.py reads them. A contact is known by its
site and name, so re-running a file updates the contacts it imported before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import msgspec

from server.contacts import repository
from server.contacts.hours_text import HoursTextError, parse_hours
from server.contacts.schemas import ChatId, ContactIn, ContactPatch, Name, Order
from server.contacts.service import create_contact, update_contact
from server.db import Database
from server.imports import BATCH_ROWS, ImportReport, Progress, apply, parse_csv_aside
from server.text import Text40, Text100, Text400

CONTACT_COLUMNS: Final = ("site", "name", "phones")


class ContactCsvRow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    site: Name
    name: Name
    phones: Text400
    role: Text40 = "keyholder"
    languages: Text100 = ""
    hours: Text400 = ""
    order: Order | None = None
    has_password: bool = False
    telegram_chat_id: ChatId | None = None
    note: Text400 = ""


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.replace(",", ";").split(";") if item.strip()]


def contact_of(row: ContactCsvRow) -> ContactIn:
    """The row as a contact; raises ValueError (or msgspec's) naming what is wrong."""
    values = {
        "name": row.name,
        "role": row.role,
        "phones": [phone.strip() for phone in row.phones.split(";") if phone.strip()],
        "languages": _split(row.languages),
        "hours": parse_hours(row.hours),
        "order": row.order,
        "has_password": row.has_password,
        "telegram_chat_id": row.telegram_chat_id,
        "note": row.note,
    }
    return msgspec.convert(values, ContactIn)


def _checker(site_ids: dict[str, int]) -> Callable[[ContactCsvRow], str | None]:
    def check(row: ContactCsvRow) -> str | None:
        if row.site not in site_ids:
            return f"there is no site named {row.site!r}; import the sites first"
        try:
            contact_of(row)
        except (HoursTextError, msgspec.ValidationError) as err:
            return str(err)
        return None

    return check


async def _store(db: Database, site_ids: dict[str, int], row: ContactCsvRow) -> None:
    site_id = site_ids[row.site]
    contact = contact_of(row)
    existing = await repository.find_by_name(db, site_id, row.name)
    if existing is None:
        await create_contact(db, site_id, contact)
        return
    patch = ContactPatch(
        role=contact.role,
        phones=contact.phones,
        languages=contact.languages,
        hours=contact.hours,
        has_password=contact.has_password,
        telegram_chat_id=contact.telegram_chat_id,
        note=contact.note,
    )
    if contact.order is not None:
        patch.order = contact.order
    await update_contact(db, existing.id, patch)


async def import_contacts(
    db: Database,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    site_ids = await repository.site_ids_by_name(db)
    parsed = await parse_csv_aside(text, ContactCsvRow, CONTACT_COLUMNS, _checker(site_ids))

    async def store(row: ContactCsvRow) -> None:
        await _store(db, site_ids, row)

    return await apply(
        parsed, store, db, skip_invalid=skip_invalid, progress=progress, batch_rows=batch_rows
    )
