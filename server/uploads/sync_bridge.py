"""Tell devices, through sync, that the server verified a recording's bytes.

The server writes `verified_sha256` (a set-once field) into the recording's synced entity
(server/sync/writes.py), so a station learns it on its next pull and only then deletes its
copy. Runs inside the caller's write transaction.
"""

from __future__ import annotations

import uuid

from server.db import Database
from server.sync.writes import write_as_server
from sync.entities import EntityKind
from sync.hlc import HybridClock
from sync.schema import VERIFIED_SHA256


async def mark_verified(db: Database, clock: HybridClock, recording_id: str, sha256: str) -> None:
    await write_as_server(
        db,
        clock,
        EntityKind.RECORDING,
        uuid.UUID(recording_id),
        {VERIFIED_SHA256: sha256},
        must_exist=True,
    )
