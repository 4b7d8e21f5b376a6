"""What a push leaves behind besides entities: results to replay, conflicts to review (and
the review's verdict on each).

Writes: sync_conflicts, sync_results
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Final

import msgspec

from server.db import Database
from server.sql import insert_many
from server.sync.schemas import ConflictStatus, Keep
from sync.merge import Conflict
from sync.messages import Applied, Rejected

_encode = msgspec.json.Encoder().encode
CONFLICT_COLUMNS: Final = (
    "kind",
    "entity_id",
    "field",
    "losing_value",
    "losing_hlc",
    "losing_device",
    "winning_value",
    "winning_hlc",
    "winning_device",
    "mutation_id",
    "status",
    "created_at",
)
RESULT_COLUMNS: Final = (
    "device_id",
    "client_seq",
    "mutation_id",
    "status",
    "code",
    "reason",
    "body",
    "created_at",
)


def _conflict_values(
    conflict: Conflict, mutation_id: uuid.UUID, now: dt.datetime
) -> tuple[object, ...]:
    losing, winning = conflict.losing, conflict.winning
    return (
        conflict.kind.value,
        str(conflict.entity_id),
        conflict.field,
        _encode(losing.value).decode(),
        losing.hlc,
        str(losing.device_id),
        _encode(winning.value).decode(),
        winning.hlc,
        str(winning.device_id),
        str(mutation_id),
        ConflictStatus.OPEN.value,
        now,
    )


def _result_values(
    device_id: uuid.UUID, result: Applied | Rejected, now: dt.datetime
) -> tuple[object, ...]:
    code, reason = (result.code, result.reason) if isinstance(result, Rejected) else (None, "")
    status = "rejected" if isinstance(result, Rejected) else "applied"
    return (
        str(device_id),
        result.client_seq,
        str(result.mutation_id),
        status,
        code,
        reason,
        _encode(result).decode(),
        now,
    )


async def insert_conflicts(
    db: Database, conflicts: Iterable[tuple[Conflict, uuid.UUID]], now: dt.datetime
) -> None:
    """Keep losing values; a conflict already kept (the same lost write) is skipped."""
    await insert_many(
        db,
        "sync_conflicts",
        CONFLICT_COLUMNS,
        [_conflict_values(conflict, mutation_id, now) for conflict, mutation_id in conflicts],
        on_conflict="ON CONFLICT (kind, entity_id, field, losing_hlc, losing_device) DO NOTHING",
    )


async def mark_resolved(
    db: Database, conflict_id: int, keep: Keep, actor: str, at: dt.datetime
) -> None:
    """A reviewer's verdict on a conflict: closed, with which side it kept."""
    await db.fetch(
        "UPDATE sync_conflicts SET status = {}, resolution = {}, resolved_by = {}, "
        "resolved_at = {} WHERE id = {}",
        ConflictStatus.RESOLVED.value,
        keep.value,
        actor,
        at,
        conflict_id,
    )


async def insert_results(
    db: Database,
    results: Mapping[tuple[uuid.UUID, int], Applied | Rejected],
    now: dt.datetime,
) -> None:
    """Store results for replay; the first one for a (device, seq) stays."""
    await insert_many(
        db,
        "sync_results",
        RESULT_COLUMNS,
        [_result_values(device_id, result, now) for (device_id, _), result in results.items()],
        on_conflict="ON CONFLICT (device_id, client_seq) DO NOTHING",
    )
