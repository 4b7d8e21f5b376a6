from __future__ import annotations

import msgspec

from server.crud import Registry, Row
from server.devices.schemas import Device, KeyFormat, Protocol
from server.devices.tables import Device as DeviceTable


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


async def find_id(protocol: str, account: str) -> int | None:
    row = await (
        DeviceTable.select(DeviceTable.id)
        .where((DeviceTable.protocol == protocol) & (DeviceTable.account == account))
        .first()
    )
    return None if row is None else int(row["id"])


class KeySettings(msgspec.Struct, frozen=True):
    key: str
    key_format: KeyFormat
    encrypted: bool


async def key_settings(device_id: int) -> KeySettings | None:
    row = await (
        DeviceTable.select(DeviceTable.key, DeviceTable.key_format, DeviceTable.encrypted)
        .where(DeviceTable.id == device_id)
        .first()
    )
    return None if row is None else msgspec.convert(row, KeySettings, strict=False)


class ReceiverAccount(msgspec.Struct, frozen=True, kw_only=True):
    """What the DC-09 receiver needs of one device: its key and how it is supervised."""

    device_id: int
    account: str
    key: str
    key_format: KeyFormat
    encrypted: bool
    supervision_s: int
    online: bool


async def receiver_accounts(protocol: Protocol) -> list[ReceiverAccount]:
    rows = await (
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
