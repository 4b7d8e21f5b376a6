"""Devices: the registry, the lookups imports and the DC-09 receivers need, and the link state
(last message, online) the signal commits keep.

Writes: devices
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec

from server.crud import Registry, Row
from server.db import Database
from server.devices.schemas import Device, KeyFormat, Protocol
from server.devices.tables import Device as DeviceTable
from server.sql import one_of


def _to_device(row: Row) -> Device:
    return Device(
        id=row["id"],
        account=row["account"],
        protocol=Protocol(row["protocol"]),
        kind=row["kind"],
        site_id=row["site"],
        crew_id=row["crew"],
        has_key=bool(row["key"]),
        key_format=KeyFormat(row["key_format"]),
        encrypted=bool(row["encrypted"]),
        supervision_s=row["supervision_s"],
        online=bool(row["online"]),
    )


devices = Registry(DeviceTable, "device", _to_device)


async def find_id(db: Database, protocol: str, account: str) -> int | None:
    rows = await db.run(
        DeviceTable.select(DeviceTable.id)
        .where((DeviceTable.protocol == protocol) & (DeviceTable.account == account))
        .limit(1)
    )
    return int(rows[0]["id"]) if rows else None


class KeySettings(msgspec.Struct, frozen=True):
    key: str
    key_format: KeyFormat
    encrypted: bool


async def key_settings(db: Database, device_id: int) -> KeySettings | None:
    rows = await db.run(
        DeviceTable.select(DeviceTable.key, DeviceTable.key_format, DeviceTable.encrypted)
        .where(DeviceTable.id == device_id)
        .limit(1)
    )
    return msgspec.convert(rows[0], KeySettings, strict=False) if rows else None


class ReceiverAccount(msgspec.Struct, frozen=True, kw_only=True):
    """What the DC-09 receiver needs of one device: its key and how it is supervised."""

    device_id: int
    account: str
    key: str
    key_format: KeyFormat
    encrypted: bool
    supervision_s: int
    online: bool


async def receiver_accounts(db: Database, protocol: Protocol) -> list[ReceiverAccount]:
    rows = await db.run(
        DeviceTable.select(
            DeviceTable.id,
            DeviceTable.account,
            DeviceTable.key,
            DeviceTable.key_format,
            DeviceTable.encrypted,
            DeviceTable.supervision_s,
            DeviceTable.online,
        )
        .where(DeviceTable.protocol == protocol.value)
        .order_by(DeviceTable.id)
    )
    return [
        ReceiverAccount(
            device_id=row["id"],
            account=row["account"],
            key=row["key"],
            key_format=KeyFormat(row["key_format"]),
            encrypted=bool(row["encrypted"]),
            supervision_s=row["supervision_s"],
            online=bool(row["online"]),
        )
        for row in rows
    ]


async def mark_seen(db: Database, device_ids: Iterable[int], at: dt.datetime) -> None:
    """Inside a signal commit: these devices were heard at ``at``."""
    ids = sorted(set(device_ids))
    if ids:
        condition, args = one_of(db, "id", ids)
        sql = f"UPDATE devices SET last_seen_at = {{}} WHERE {condition}"  # noqa: S608
        await db.fetch_direct(sql, at, *args)


async def set_online(db: Database, device_id: int, *, online: bool) -> bool:
    """Store the link state; False if it was already stored (another receiver did it)."""
    rows = await db.fetch(
        "UPDATE devices SET online = {} WHERE id = {} AND online <> {} RETURNING id",
        online,
        device_id,
        online,
    )
    return bool(rows)
