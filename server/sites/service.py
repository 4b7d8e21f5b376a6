from __future__ import annotations

import datetime as dt

import msgspec

from server.db import Database
from server.sites.repository import sites
from server.sites.schemas import Site, SiteIn, SitePatch


async def create_site(db: Database, data: SiteIn) -> Site:
    values = msgspec.structs.asdict(data)
    return await sites.create(db, {**values, "created_at": dt.datetime.now(dt.UTC)})


async def update_site(db: Database, site_id: int, patch: SitePatch) -> Site:
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
    return await sites.update(db, site_id, changes)
