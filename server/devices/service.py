from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from server.crews.repository import crews
from server.db import Database
from server.devices import repository
from server.devices.repository import devices
from server.devices.schemas import Device, DeviceIn, DevicePatch, KeyFormat, key_problem
from server.errors import Unprocessable
from server.sites.repository import sites

DEVICES_DOORBELL: Final = "devices"
"""Rung after a device is created or changed: the DC-09 receivers on every node reload their
account keys and supervision intervals (no outbox events: nothing subscribes to it)."""


def _check_key(key: str, key_format: KeyFormat, *, encrypted: bool) -> None:
    problem = key_problem(key, key_format, encrypted=encrypted)
    if problem is not None:
        raise Unprocessable(f"The device key is unusable: {problem}.", code="invalid_key")


async def _check_site(db: Database, site_id: int | None) -> None:
    if site_id is not None:
        await sites.get(db, site_id)


async def _check_crew(db: Database, crew_id: int | None) -> None:
    if crew_id is not None:
        await crews.get(db, crew_id)


async def create_device(db: Database, data: DeviceIn) -> Device:
    _check_key(data.key, data.key_format, encrypted=data.encrypted)
    await _check_site(db, data.site_id)
    await _check_crew(db, data.crew_id)
    values: dict[str, Any] = msgspec.structs.asdict(data)
    values["site"] = values.pop("site_id")
    values["crew"] = values.pop("crew_id")
    async with db.write():
        db.touch(DEVICES_DOORBELL)
        return await devices.create(db, {**values, "created_at": dt.datetime.now(dt.UTC)})


async def update_device(db: Database, device_id: int, patch: DevicePatch) -> Device:
    current = await repository.key_settings(db, device_id)
    if current is None:
        return await devices.get(db, device_id)  # raises the 404
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
    _check_key(
        changes.get("key", current.key),
        changes.get("key_format", current.key_format),
        encrypted=changes.get("encrypted", current.encrypted),
    )
    if "site_id" in changes:
        await _check_site(db, changes["site_id"])
        changes["site"] = changes.pop("site_id")
    if "crew_id" in changes:
        await _check_crew(db, changes["crew_id"])
        changes["crew"] = changes.pop("crew_id")
    async with db.write():
        db.touch(DEVICES_DOORBELL)
        return await devices.update(db, device_id, changes)
