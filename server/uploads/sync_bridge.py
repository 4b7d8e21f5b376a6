"""Tell devices, through sync, that the server verified a recording's bytes.

The server writes `verified_sha256` (a set-once field) into the recording's synced entity as a
normal change in its scopes, so a station learns it on its next pull and only then deletes its
copy. Runs inside the caller's write transaction.
"""

from __future__ import annotations

import time
import uuid

from server.auth.schemas import Role
from server.db import Database
from server.sync.repository import SyncRepository
from server.sync.scopes import ScopeResolver
from server.sync.service import CLOCK, SERVER_DEVICE_ID
from sync.entities import EntityKind
from sync.merge import Write, apply_write
from sync.schema import VERIFIED_SHA256


async def mark_verified(db: Database, recording_id: str, sha256: str) -> None:
    repo = SyncRepository(db)
    entity_id = uuid.UUID(recording_id)
    state = await repo.load_entity(EntityKind.RECORDING, entity_id)
    if state is None:
        return
    now_ms = time.time_ns() // 1_000_000
    write = Write(
        kind=EntityKind.RECORDING,
        entity_id=entity_id,
        values={VERIFIED_SHA256: sha256},
        hlc=CLOCK.tick(now_ms),
        device_id=SERVER_DEVICE_ID,
    )
    merged = apply_write(state, write)
    scopes = ScopeResolver(repo.cached, Role.admin)(merged.state)
    await repo.save_entity(merged.state, scopes)
    for scope in scopes:
        await repo.append_change(scope, EntityKind.RECORDING, entity_id, merged.changed)
    await repo.flush()
