"""Reading the change log and snapshot rows for devices, served as they are stored.

The server never reads the fields of what it serves, it forwards them: decoding every stamp
and encoding it again took about a third of a pull's time. The rows therefore come back as
Structs whose ``fields`` stay the stored JSON (`msgspec.Raw`) and encode to exactly the bytes a
`Change` or `EntityState` would, which is all `sync.pull` does with them (it reads ``seq`` and
encodes). They are handed over typed as the Protocol says: nothing else may read their fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Final, cast

import msgspec

from server.db import Database
from sync.entities import EntityKind
from sync.merge import EntityState
from sync.messages import Change, ChangeOp


class _ForwardedChange(msgspec.Struct, frozen=True, kw_only=True):
    """A `Change` whose fields stay the stored JSON; same fields, same order."""

    scope: str
    seq: int
    kind: EntityKind
    entity_id: uuid.UUID
    op: ChangeOp = ChangeOp.UPSERT
    fields: msgspec.Raw


class _ForwardedState(msgspec.Struct, frozen=True):
    """An `EntityState` whose fields stay the stored JSON."""

    kind: EntityKind
    entity_id: uuid.UUID
    fields: msgspec.Raw


_CHANGES: Final = msgspec.json.Decoder(list[_ForwardedChange])
_STATES: Final = msgspec.json.Decoder(list[_ForwardedState])


def _json_array(objects: Iterable[str]) -> bytes:
    # Safe to splice: scope, kind and id are the server's own identifiers, fields stored JSON.
    return ("[" + ",".join(objects) + "]").encode()


async def read_changes(db: Database, scope: str, after_seq: int, limit: int) -> list[Change]:
    """Up to ``limit`` changes of a scope after ``after_seq``, in seq order."""
    rows = await db.fetch(
        "SELECT seq, kind, entity_id, fields FROM sync_changes WHERE scope = {} AND seq > {} "
        "ORDER BY seq LIMIT {}",
        scope,
        after_seq,
        limit,
    )
    forwarded = _CHANGES.decode(
        _json_array(
            f'{{"scope":"{scope}","seq":{row["seq"]},"kind":"{row["kind"]}",'
            f'"entity_id":"{row["entity_id"]}","fields":{row["fields"]}}}'
            for row in rows
        )
    )
    return cast(list[Change], forwarded)


async def read_snapshot(
    db: Database, scope: str, after_id: uuid.UUID | None, limit: int
) -> list[EntityState]:
    """Up to ``limit`` current rows of a scope with id > ``after_id``, ordered by id."""
    rows = await db.fetch(
        "SELECT e.kind, e.entity_id, e.fields FROM sync_members m JOIN sync_entities e "
        "ON e.kind = m.kind AND e.entity_id = m.entity_id WHERE m.scope = {} "
        "AND m.entity_id > {} ORDER BY m.entity_id LIMIT {}",
        scope,
        "" if after_id is None else str(after_id),
        limit,
    )
    forwarded = _STATES.decode(
        _json_array(
            f'{{"kind":"{row["kind"]}","entity_id":"{row["entity_id"]}","fields":{row["fields"]}}}'
            for row in rows
        )
    )
    return cast(list[EntityState], forwarded)
