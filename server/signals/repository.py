"""Signal rows in and Structs out, plus the few device and alert reads a batch commit needs.

Writes: signals
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final

import msgspec

from device_gateway.ingest import Source
from device_gateway.signals import DedupKey, Signal
from server.db import Database
from server.signals.schemas import SignalFilter, StoredSignalOut
from server.sites.schemas import SiteRef
from server.sql import one_of

COLUMNS: Final = (
    "device_id", "account", "receiver", "line", "token", "seq", "data_sha256", "dedup_hash",
    "event_index", "encrypted", "code_family", "code", "qualifier", "kind", "priority",
    "description", "zone", "user_number", "area", "text", "panel_time", "xdata", "raw",
    "content", "transport", "peer", "registered", "alert_id", "received_at",
)  # fmt: skip
_MARKS: Final = ", ".join(["{}"] * len(COLUMNS))
_INSERT: Final = f"INSERT INTO signals ({', '.join(COLUMNS)}) VALUES ({_MARKS})"  # noqa: S608
_SELECT: Final = f"SELECT id, {', '.join(COLUMNS)} FROM signals"  # noqa: S608
SIGNALS_LOCK_KEY: Final = 0x5349_4130
"""PostgreSQL advisory lock that serializes signal commits across nodes, so two nodes cannot
both store one retransmission (SQLite's single writer does this by itself)."""
OPEN_STATUSES: Final = ("new", "dispatched", "acknowledged", "en_route", "on_scene")
_encoder = msgspec.json.Encoder()


class DeviceSite(msgspec.Struct, frozen=True, kw_only=True):
    device_id: int
    account: str
    site: SiteRef
    supervision_s: int = 0
    crew_id: int | None = None


class SignalRow(msgspec.Struct, frozen=True, kw_only=True):
    """What to store for one signal besides the signal itself."""

    signal: Signal
    source: Source
    dedup_hash: str
    dedup_key: DedupKey
    device_id: int | None
    alert_id: int | None


def _clean(text: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; a panel's NUL must not make its frame unstorable."""
    return None if text is None else text.replace("\x00", "\\x00")


def _origin(row: SignalRow) -> tuple[str | None, str | None, str, str, bool]:
    """The columns a DC-09 header fills (receiver, line, token, seq, encrypted). Another
    protocol's signal stores its code family as the token and its dedup key's seq as the seq,
    which is what the duplicate check looks rows up by."""
    origin = row.signal.origin
    if origin is None:
        return None, None, row.signal.code_family.upper(), row.dedup_key.seq, False
    return origin.receiver, origin.line, origin.token, origin.seq, origin.encrypted


def _values(row: SignalRow) -> tuple[Any, ...]:
    s = row.signal
    receiver, line, token, seq, encrypted = _origin(row)
    return (
        row.device_id, _clean(s.account), _clean(receiver), _clean(line), _clean(token),
        _clean(seq), row.dedup_key.data_sha256, row.dedup_hash, s.event_index, encrypted,
        str(s.code_family), _clean(s.code), s.qualifier.value, s.kind.value, s.priority,
        _clean(s.description), _clean(s.zone), _clean(s.user), _clean(s.partition),
        _clean(s.text), s.panel_time, _clean(_encoder.encode(s.xdata).decode()), _clean(s.raw),
        _clean(s.content), row.source.transport, _clean(row.source.peer), row.device_id is not None,
        row.alert_id, s.received_at,
    )  # fmt: skip


async def lock_for_commit(db: Database) -> None:
    if not db.is_sqlite:
        await db.fetch_direct("SELECT pg_advisory_xact_lock({})", SIGNALS_LOCK_KEY)


async def insert_many(db: Database, rows: Sequence[SignalRow]) -> None:
    await db.execute_many(_INSERT, [_values(row) for row in rows])


async def stored_hashes(
    db: Database, keys: Sequence[tuple[str, str, str]], since: dt.datetime
) -> set[str]:
    """Which of these (account, seq, dedup hash) keys were stored at or after ``since``."""
    pairs = sorted({(account, seq) for account, seq, _ in keys})
    if not pairs:
        return set()
    if db.is_sqlite:
        values = ", ".join(["({}, {})"] * len(pairs))  # CROSS JOIN: probe the index per key
        rows = await db.fetch_direct(
            f"SELECT s.dedup_hash FROM (VALUES {values}) AS k CROSS JOIN signals s "  # noqa: S608
            "ON s.account = k.column1 AND s.seq = k.column2 AND s.received_at >= {}",
            *(item for pair in pairs for item in pair),
            since,
        )
    else:  # one index probe per key, whatever the planner believes about a fresh table
        rows = await db.fetch_direct(
            "SELECT stored.dedup_hash FROM unnest({}::text[], {}::text[]) AS k(account, seq), "
            "LATERAL (SELECT s.dedup_hash FROM signals s WHERE s.account = k.account "
            "AND s.seq = k.seq AND s.received_at >= {}) AS stored",
            [account for account, _ in pairs],
            [seq for _, seq in pairs],
            since,
        )
    wanted = {dedup_hash for _, _, dedup_hash in keys}
    return {row["dedup_hash"] for row in rows} & wanted


async def devices_by_account(
    db: Database, accounts: Iterable[str], protocol: str = "dc09"
) -> dict[str, DeviceSite]:
    wanted = sorted(set(accounts))
    if not wanted:
        return {}
    condition, args = one_of(db, "d.account", wanted)
    rows = await db.fetch_direct(
        "SELECT d.id, d.account, d.supervision_s, d.crew AS crew_id, d.site AS site_id, "  # noqa: S608
        "s.name, s.address, s.lat, s.lon "
        "FROM devices d LEFT JOIN sites s ON s.id = d.site "
        f"WHERE d.protocol = {{}} AND {condition}",
        protocol,
        *args,
    )
    return {
        row["account"]: DeviceSite(
            device_id=row["id"],
            account=row["account"],
            supervision_s=row["supervision_s"] or 0,
            crew_id=row["crew_id"],
            site=SiteRef(
                id=row["site_id"],
                name=row["name"] or "",
                address=row["address"] or "",
                lat=row["lat"],
                lon=row["lon"],
            ),
        )
        for row in rows
    }


async def heard_since(db: Database, since: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(account, last message) of supervised DC-09 devices heard since ``since``, by any node."""
    rows = await db.fetch(
        "SELECT account, last_seen_at FROM devices WHERE protocol = 'dc09' "
        "AND supervision_s > 0 AND last_seen_at >= {}",
        since,
    )
    return [(row["account"], row["last_seen_at"]) for row in rows]


async def open_alert(db: Database, device_id: int, kinds: Sequence[str]) -> tuple[int, int] | None:
    """(alert id, incident id) of the device's newest alert of one of these kinds whose
    incident is still open."""
    kind_marks = ", ".join(["{}"] * len(kinds))
    status_marks = ", ".join(["{}"] * len(OPEN_STATUSES))
    row = await db.fetch_one(
        "SELECT a.id, a.incident_id FROM alerts a "  # noqa: S608
        "JOIN incidents i ON i.id = a.incident_id "
        f"WHERE a.device_id = {{}} AND a.kind IN ({kind_marks}) "
        f"AND i.status IN ({status_marks}) ORDER BY a.id DESC LIMIT 1",
        device_id,
        *kinds,
        *OPEN_STATUSES,
    )
    return None if row is None else (int(row["id"]), int(row["incident_id"]))


class OpenAlert(msgspec.Struct, frozen=True, kw_only=True):
    alert_id: int
    incident_id: int
    status: str
    zone: str | None


async def open_alerts(db: Database, device_id: int, kinds: Sequence[str]) -> list[OpenAlert]:
    """The device's alerts of these kinds whose incident is still open, newest first."""
    kind_marks = ", ".join(["{}"] * len(kinds))
    status_marks = ", ".join(["{}"] * len(OPEN_STATUSES))
    rows = await db.fetch(
        "SELECT a.id, a.incident_id, a.details, i.status FROM alerts a "  # noqa: S608
        "JOIN incidents i ON i.id = a.incident_id "
        f"WHERE a.device_id = {{}} AND a.kind IN ({kind_marks}) "
        f"AND i.status IN ({status_marks}) ORDER BY a.id DESC",
        device_id,
        *kinds,
        *OPEN_STATUSES,
    )
    return [
        OpenAlert(
            alert_id=int(row["id"]),
            incident_id=int(row["incident_id"]),
            status=str(row["status"]),
            zone=_details_zone(row["details"]),
        )
        for row in rows
    ]


def _details_zone(details: object) -> str | None:
    if isinstance(details, str | bytes):
        details = msgspec.json.decode(details)
    zone = details.get("zone") if isinstance(details, dict) else None
    return zone if isinstance(zone, str) else None


def _to_out(row: dict[str, Any]) -> StoredSignalOut:
    xdata = row["xdata"]
    return StoredSignalOut(
        id=row["id"],
        device_id=row["device_id"],
        registered=bool(row["registered"]),
        account=row["account"],
        receiver=row["receiver"],
        line=row["line"],
        token=row["token"],
        seq=row["seq"],
        encrypted=bool(row["encrypted"]),
        code_family=row["code_family"],
        code=row["code"],
        qualifier=row["qualifier"],
        kind=row["kind"],
        priority=row["priority"],
        description=row["description"],
        zone=row["zone"],
        user=row["user_number"],
        partition=row["area"],
        text=row["text"],
        panel_time=row["panel_time"],
        xdata=msgspec.json.decode(xdata, type=dict[str, str]),
        raw=row["raw"],
        content=row["content"],
        transport=row["transport"],
        peer=row["peer"],
        alert_id=row["alert_id"],
        received_at=row["received_at"],
    )


async def search(db: Database, where: SignalFilter) -> list[StoredSignalOut]:
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("account", where.account),
        ("kind", where.kind),
        ("device_id", where.device_id),
    ):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    if where.since is not None:
        clauses.append("received_at >= {}")
        args.append(where.since)
    sql = _SELECT + (" WHERE " + " AND ".join(clauses) if clauses else "")
    rows = await db.fetch(
        sql + " ORDER BY id DESC LIMIT {} OFFSET {}", *args, where.limit, where.offset
    )
    return [_to_out(row) for row in rows]


async def count(db: Database) -> int:
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM signals")
    return 0 if row is None else int(row["n"])
