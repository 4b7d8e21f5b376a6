from __future__ import annotations

import functools
from typing import Final

import msgspec

from server.db import Database
from server.devices import repository
from server.devices.schemas import DeviceCsvRow, DeviceIn, DevicePatch, key_problem
from server.devices.service import create_device, update_device
from server.imports import BATCH_ROWS, ImportReport, Progress, apply, parse_csv_aside
from server.sites import repository as sites_repository
from server.sites.schemas import SiteIn, SitePatch
from server.sites.service import create_site, update_site

DEVICE_COLUMNS: Final = (
    "account",
    "protocol",
    "kind",
    "site",
    "address",
    "lat",
    "lon",
    "key",
    "key_format",
    "encrypted",
    "supervision_s",
)


def _check(row: DeviceCsvRow) -> str | None:
    return key_problem(row.key, row.key_format, encrypted=row.encrypted)


async def _site_id(db: Database, row: DeviceCsvRow) -> int:
    """The row's site, created from its address and position if it is new; an existing site
    keeps its other fields and takes the row's address and position only where given."""
    site = await sites_repository.find_by_name(db, row.site)
    if site is None:
        return (
            await create_site(
                db, SiteIn(name=row.site, address=row.address, lat=row.lat, lon=row.lon)
            )
        ).id
    patch = SitePatch(
        address=row.address or msgspec.UNSET,
        lat=msgspec.UNSET if row.lat is None else row.lat,
        lon=msgspec.UNSET if row.lon is None else row.lon,
    )
    return (await update_site(db, site.id, patch)).id


async def _store(db: Database, row: DeviceCsvRow) -> None:
    site_id = None if not row.site else await _site_id(db, row)
    existing = await repository.find_id(db, row.protocol.value, row.account)
    if existing is None:
        await create_device(
            db,
            DeviceIn(
                account=row.account,
                protocol=row.protocol,
                kind=row.kind,
                site_id=site_id,
                key=row.key,
                key_format=row.key_format,
                encrypted=row.encrypted,
                supervision_s=row.supervision_s,
            ),
        )
    else:
        await update_device(
            db,
            existing,
            DevicePatch(
                kind=row.kind,
                site_id=site_id,
                key=row.key,
                key_format=row.key_format,
                encrypted=row.encrypted,
                supervision_s=row.supervision_s,
            ),
        )


async def import_devices(
    db: Database,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    parsed = await parse_csv_aside(text, DeviceCsvRow, DEVICE_COLUMNS, check=_check)
    return await apply(
        parsed,
        functools.partial(_store, db),
        db,
        skip_invalid=skip_invalid,
        progress=progress,
        batch_rows=batch_rows,
    )
