from __future__ import annotations

from typing import Final

from server.db import Database
from server.imports import BATCH_ROWS, ImportReport, Progress, apply, parse_csv_aside
from server.sites import repository
from server.sites.schemas import SiteIn, SitePatch
from server.sites.service import create_site, update_site

SITE_COLUMNS: Final = ("name",)


async def upsert_site(db: Database, row: SiteIn) -> int:
    existing = await repository.find_by_name(db, row.name)
    if existing is None:
        return (await create_site(db, row)).id
    patch = SitePatch(
        kind=row.kind, address=row.address, district=row.district, lat=row.lat, lon=row.lon
    )
    return (await update_site(db, existing.id, patch)).id


async def import_sites(
    db: Database,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    parsed = await parse_csv_aside(text, SiteIn, SITE_COLUMNS)

    async def store(row: SiteIn) -> None:
        await upsert_site(db, row)

    return await apply(
        parsed, store, db, skip_invalid=skip_invalid, progress=progress, batch_rows=batch_rows
    )
