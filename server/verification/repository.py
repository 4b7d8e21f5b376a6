"""Snapshot jobs and the worker's scan position: rows in, Structs out.

Writes: verification_captures, verification_scan
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import msgspec

from server.db import Database
from server.verification.schemas import AlarmRef, Capture, CaptureState, VerificationLink

_CAPTURE_COLUMNS: Final = (
    "id, alert_id, incident_id, camera_id, camera_name, state, attempts, alarm_at, due_at, "
    "captured_at, recording_id, sha256, width, height, error"
)
_SELECT: Final = f"SELECT {_CAPTURE_COLUMNS} FROM verification_captures"  # noqa: S608
SCAN_ROW: Final = 1


def _capture(row: dict[str, Any]) -> Capture:
    return msgspec.convert(row, Capture, strict=False)


async def scan_position(db: Database) -> int:
    """The id of the last alert the worker has looked at (0: none yet)."""
    row = await db.fetch_one("SELECT alert_id FROM verification_scan WHERE id = {}", SCAN_ROW)
    return 0 if row is None else int(row["alert_id"])


async def set_scan_position(db: Database, alert_id: int) -> None:
    """Inside the transaction that stored the captures of every alert up to `alert_id`."""
    updated = await db.fetch(
        "UPDATE verification_scan SET alert_id = {} WHERE id = {} RETURNING id", alert_id, SCAN_ROW
    )
    if not updated:
        await db.fetch(
            "INSERT INTO verification_scan (id, alert_id) VALUES ({}, {})", SCAN_ROW, alert_id
        )


async def alerts_after(db: Database, alert_id: int, limit: int) -> list[AlarmRef]:
    rows = await db.fetch(
        "SELECT id AS alert_id, incident_id, site_id, device_id, kind, received_at FROM alerts "
        "WHERE id > {} ORDER BY id LIMIT {}",
        alert_id,
        limit,
    )
    return [msgspec.convert(row, AlarmRef, strict=False) for row in rows]


async def captured_alerts(db: Database, alert_ids: list[int]) -> set[int]:
    """Which of these alerts already have their snapshot jobs."""
    if not alert_ids:
        return set()
    marks = ", ".join(["{}"] * len(alert_ids))
    rows = await db.fetch(
        f"SELECT DISTINCT alert_id FROM verification_captures WHERE alert_id IN ({marks})",  # noqa: S608
        *alert_ids,
    )
    return {int(row["alert_id"]) for row in rows}


async def count_for_incident(db: Database, incident_id: int) -> int:
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM verification_captures WHERE incident_id = {}", incident_id
    )
    return 0 if row is None else int(row["n"])


async def insert(
    db: Database, alarm: AlarmRef, incident_id: int, camera_id: int, camera_name: str
) -> None:
    await db.fetch(
        "INSERT INTO verification_captures (alert_id, incident_id, camera_id, camera_name, "
        "state, attempts, alarm_at, due_at, error) VALUES ({}, {}, {}, {}, {}, 0, {}, {}, '') "
        "ON CONFLICT (alert_id, camera_id) DO NOTHING",
        alarm.alert_id,
        incident_id,
        camera_id,
        camera_name,
        CaptureState.PENDING.value,
        alarm.received_at,
        alarm.received_at,
    )


async def next_due(db: Database, now: dt.datetime) -> Capture | None:
    row = await db.fetch_one(
        _SELECT + " WHERE state = {} AND due_at <= {} ORDER BY due_at, id LIMIT 1",
        CaptureState.PENDING.value,
        now,
    )
    return None if row is None else _capture(row)


async def claim(db: Database, capture: Capture, retry_at: dt.datetime) -> bool:
    """Count a try and move the job's next chance to `retry_at` (a try stopped by a restart is
    taken again then); False when another worker took it first."""
    rows = await db.fetch(
        "UPDATE verification_captures SET attempts = attempts + 1, due_at = {} "
        "WHERE id = {} AND state = {} AND attempts = {} RETURNING id",
        retry_at,
        capture.id,
        CaptureState.PENDING.value,
        capture.attempts,
    )
    return bool(rows)


async def done(
    db: Database,
    capture_id: int,
    *,
    recording_id: str,
    sha256: str,
    captured_at: dt.datetime,
    size: tuple[int, int],
) -> None:
    width, height = size
    await db.fetch(
        "UPDATE verification_captures SET state = {}, recording_id = {}, sha256 = {}, "
        "captured_at = {}, width = {}, height = {}, error = '' WHERE id = {}",
        CaptureState.DONE.value,
        recording_id,
        sha256,
        captured_at,
        width,
        height,
        capture_id,
    )


async def failed(db: Database, capture_id: int, error: str, *, final: bool) -> None:
    """Record why a try failed; `final`: give the job up."""
    state = CaptureState.FAILED if final else CaptureState.PENDING
    await db.fetch(
        "UPDATE verification_captures SET state = {}, error = {} WHERE id = {}",
        state.value,
        error[:1000],
        capture_id,
    )


async def of_incident(db: Database, incident_id: int) -> list[Capture]:
    rows = await db.fetch(_SELECT + " WHERE incident_id = {} ORDER BY id", incident_id)
    return [_capture(row) for row in rows]


async def links_of_incident(db: Database, incident_id: int) -> list[VerificationLink]:
    """The `[V…]` links the incident's alerts carried (kept in each alert's details)."""
    rows = await db.fetch(
        "SELECT id, details, received_at FROM alerts WHERE incident_id = {} ORDER BY id",
        incident_id,
    )
    links: list[VerificationLink] = []
    for row in rows:
        url = verification_url(row["details"])
        if url:
            links.append(
                VerificationLink(alert_id=int(row["id"]), url=url, received_at=row["received_at"])
            )
    return links


def verification_url(details: object) -> str:
    """The `V` block of a DC-09 alarm's extended data; empty when it carried none."""
    decoded: Any = msgspec.json.decode(details) if isinstance(details, str | bytes) else details
    xdata = decoded.get("xdata") if isinstance(decoded, dict) else None
    value = xdata.get("V") if isinstance(xdata, dict) else None
    return value.strip() if isinstance(value, str) else ""
