"""Sites: the registry and the lookups the imports need.

Writes: sites
"""

from __future__ import annotations

import msgspec

from server.crud import Registry, Row
from server.db import Database
from server.sites.schemas import Site
from server.sites.tables import Site as SiteTable


def _to_site(row: Row) -> Site:
    return msgspec.convert(row, Site, strict=False)


sites = Registry(SiteTable, "site", _to_site)


async def find_by_name(db: Database, name: str) -> Site | None:
    rows = await db.run(SiteTable.select().where(SiteTable.name == name).limit(1))
    return _to_site(rows[0]) if rows else None
