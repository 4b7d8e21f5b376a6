"""Chains as a database written before the timeline and the custody log shared one ChainLog
holds them: the facts, and the hashes the separate code of each log computed for them then.
The hashes are literals on purpose: recomputing them here would prove nothing."""

from __future__ import annotations

import datetime as dt
from typing import Final

from server.custody.schemas import CustodyFacts, CustodyKind
from server.incidents.timeline import EntryFacts
from sync.lattices import IncidentStatus

TASHKENT: Final = dt.timezone(dt.timedelta(hours=5))
RECORDING_ID: Final = "0190c1a2-0000-7000-8000-000000000001"
INCIDENT_ID: Final = 7

TIMELINE: Final = (
    EntryFacts(
        incident_id=INCIDENT_ID,
        at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
        actor="system",
        kind="created",
        to_status=IncidentStatus.NEW,
        data={"alert_id": 3},
    ),
    EntryFacts(
        incident_id=INCIDENT_ID,
        at=dt.datetime(2026, 11, 25, 14, 1, 2, 345678, tzinfo=TASHKENT),
        actor="dispatcher:desk",
        kind="status",
        from_status=IncidentStatus.NEW,
        to_status=IncidentStatus.DISPATCHED,
        data={"crew_id": 2, "note": "Ёлка «дом» 5"},
    ),
    EntryFacts(
        incident_id=INCIDENT_ID,
        at=dt.datetime(2026, 11, 25, 9, 20, tzinfo=dt.UTC),
        actor="crew:2",
        kind="status",
        from_status=IncidentStatus.DISPATCHED,
        to_status=IncidentStatus.ON_SCENE,
        device_at=dt.datetime(2026, 11, 25, 14, 19, 58, tzinfo=TASHKENT),
    ),
)
TIMELINE_HASHES: Final = (
    "d845d424bf53ae6f24c110a6ce39e97360c09f0b6864a42e11604bbc553983ac",
    "1b90ce8c6256d7349ba63b264026c7124b674a12d037683980831ccb86a01077",
    "80f3c16ffc07ea06e7e746092e041402915729c9b4d04c5dfb517eb92b1ae7a2",
)

CUSTODY: Final = (
    CustodyFacts(
        recording_id=RECORDING_ID,
        at=dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC),
        actor="station:1",
        kind=CustodyKind.RECEIVED,
        reason="upload complete",
        data={"upload_id": "u1", "bytes": 2097159, "sha256": "ab" * 32},
    ),
    CustodyFacts(
        recording_id=RECORDING_ID,
        at=dt.datetime(2026, 11, 25, 13, 0, 1, 5, tzinfo=TASHKENT),
        actor="server",
        kind=CustodyKind.VERIFIED,
        reason="server SHA-256 matches the device's",
        data={"nested": {"b": [1, 2.5, None, True], "a": "x"}},
    ),
    CustodyFacts(
        recording_id=RECORDING_ID,
        at=dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC),
        actor="dispatcher:desk",
        kind=CustodyKind.VIEWED,
        reason="played back",
    ),
)
CUSTODY_HASHES: Final = (
    "c1e463de5959ef652d128b54b00ff1871cf41e60a1bc60f8b0e90b9fd2ced009",
    "1f1dff02d762e09fa620a2c08ba284bf624ee3da090538e3c976989cfca9783d",
    "a5745048f7fbfcfb4a43088e9e407dcc6164bde6588711b9d20afdb581b4af61",
)


def prev_hashes(hashes: tuple[str, ...]) -> tuple[str, ...]:
    return ("0" * 64, *hashes[:-1])
