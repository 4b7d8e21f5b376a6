from __future__ import annotations

import datetime as dt

import msgspec


class StoredSignalOut(msgspec.Struct, frozen=True, kw_only=True):
    """One stored device signal, as the API shows it."""

    id: int
    device_id: int | None
    registered: bool
    account: str
    receiver: str | None
    line: str | None
    token: str
    seq: str
    encrypted: bool
    code_family: str
    code: str
    qualifier: str
    kind: str
    priority: int
    description: str
    zone: str | None
    user: str | None
    partition: str | None
    text: str | None
    panel_time: dt.datetime | None
    xdata: dict[str, str]
    raw: str
    content: str
    transport: str
    peer: str
    alert_id: int | None
    received_at: dt.datetime


class SignalFilter(msgspec.Struct, frozen=True, kw_only=True):
    account: str | None = None
    kind: str | None = None
    device_id: int | None = None
    since: dt.datetime | None = None
    limit: int = 100
    offset: int = 0
