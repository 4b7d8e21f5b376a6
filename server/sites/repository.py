from __future__ import annotations

import msgspec

from server.crud import Registry, Row
from server.sites.schemas import Site
from server.sites.tables import Site as SiteTable


def _to_site(row: Row) -> Site:
    return msgspec.convert(row, Site, strict=False)


sites = Registry(SiteTable, "site", _to_site)


async def find_by_name(name: str) -> Site | None:
    row = await SiteTable.select().where(SiteTable.name == name).first()
    return None if row is None else _to_site(row)
