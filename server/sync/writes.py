"""The server writes a synced entity: the one way it does, for every domain.

A server-side change that devices must learn (an incident a dispatcher moved, a recording whose
bytes were verified, a conflict's loser restored by a reviewer) is written into the entity as
the SERVER device, as a normal change in the entity's scopes, so a device learns it on its
next pull. The stamp comes from the node's clock (`AppState.sync_clock`) and is taken after
every stamp the entity holds, with those stamps as the write's base: the server writes on top
of what it saw, so its value wins and no conflict is kept for the value it replaced.

Runs inside the caller's write transaction; inside a push it joins the push's repository
(server/sync/repository.py says why).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Final

from server.auth.schemas import Role
from server.db import Database
from server.sync import admin_repository
from server.sync.repository import SyncRepository
from server.sync.scopes import ScopeResolver, incidents_named, parent_of, stored_parent
from sync.entities import EntityKind
from sync.hlc import HybridClock
from sync.merge import EntityState, MergeResult, Write, apply_write

SERVER_DEVICE_ID: Final = uuid.UUID(int=0)
"""The author of the server's own writes."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


async def _load(repo: SyncRepository, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
    """The entity, with its parent report loaded (its scopes follow the parent's)."""
    state = await repo.load_entity(kind, entity_id)
    parent = stored_parent(repo.cached, kind, entity_id)
    if parent is not None:
        await repo.load_entity(EntityKind.INCIDENT_REPORT, parent)
    return state


async def write_as_server(
    db: Database,
    clock: HybridClock,
    kind: EntityKind,
    entity_id: uuid.UUID,
    values: Mapping[str, object],
    *,
    must_exist: bool = False,
) -> MergeResult | None:
    """Write `values` into an entity as the server; None (nothing written) if `must_exist`
    and there is no such entity. Raises `sync.errors.MutationRejectedError` for values the
    entity's rules refuse."""
    repo, own = SyncRepository.joined(db)
    state = await _load(repo, kind, entity_id)
    if state is None and must_exist:
        return None
    if (parent := parent_of(values)) is not None:
        await repo.load_entity(EntityKind.INCIDENT_REPORT, parent)
    held = {} if state is None else state.fields
    seen = max((stamp.hlc for stamp in held.values()), default=0)
    write = Write(
        kind=kind,
        entity_id=entity_id,
        values=dict(values),
        hlc=clock.after(seen, now_ms()),
        device_id=SERVER_DEVICE_ID,
        base={name: held[name].hlc for name in values if name in held},
    )
    merged = apply_write(state, write)
    named = incidents_named(repo.cached, kind, entity_id, values)
    districts = await admin_repository.incident_districts(db, named)
    scopes = ScopeResolver(repo.cached, Role.ADMIN, districts.get)(merged.state)
    if merged.changed:
        await repo.save_entity(merged.state, scopes)
        for scope in scopes:
            await repo.append_change(scope, kind, entity_id, merged.changed)
    if own:
        await repo.flush()
    return merged
