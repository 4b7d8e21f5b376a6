"""What a device shows: the confirmed state with its queued edits laid on top (the rebase).

A pulled value never overwrites a field that a queued mutation sets: the local edit stays on
screen until the server has it. Recomputing the view from the confirmed state and the queue
after every pull *is* the rebase of the pending edits over what was pulled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Final

from sync.entities import EntityKind
from sync.merge import EntityState, FieldStamp, Write
from sync.mutations import AnyMutation, CrewStatusRecordV1, Receipt, writes_of
from sync.schema import FIELD_RULES, Rule

Key = tuple[EntityKind, uuid.UUID]
_PROBE_DEVICE: Final = uuid.UUID(int=0)


def local_writes(mutation: AnyMutation, device_id: uuid.UUID = _PROBE_DEVICE) -> list[Write]:
    """The writes a queued mutation stands for, stamped with its own HLC; a status change
    also shows on its incident until the server's own write of the incident comes back."""
    writes = writes_of(mutation, Receipt(device_id, mutation.hlc, 0, 0))
    if isinstance(mutation, CrewStatusRecordV1):
        shown = Write(
            kind=EntityKind.INCIDENT,
            entity_id=mutation.fields.incident_id,
            values={"status": mutation.fields.status.value},
            hlc=mutation.hlc,
            device_id=device_id,
        )
        writes.append(shown)
    return writes


def keys_of(mutation: AnyMutation) -> list[Key]:
    """The entities a mutation touches."""
    return [(write.kind, write.entity_id) for write in local_writes(mutation)]


def _as_ids(value: object) -> set[str]:
    return {str(item) for item in value} if isinstance(value, list) else set()


def overlay(state: EntityState | None, write: Write) -> EntityState | None:
    """Lay one local write over an entity; fields only the server sets are left alone."""
    if state is None and write.must_exist:
        return None  # the server will refuse it; nothing to show
    rules = FIELD_RULES[write.kind]
    fields = dict(state.fields) if state is not None else {}
    for name, value in write.values.items():
        rule = rules.get(name)
        if rule is None or rule is Rule.SET_ONCE:
            continue
        shown = value
        if rule is Rule.GROW_SET and name in fields:
            shown = sorted(_as_ids(fields[name].value) | _as_ids(value))
        fields[name] = FieldStamp(shown, write.hlc, write.device_id, write.base.get(name, 0))
    return EntityState(write.kind, write.entity_id, fields)


def view(
    confirmed: dict[Key, EntityState], queued: Iterable[AnyMutation], device_id: uuid.UUID
) -> dict[Key, EntityState]:
    """Every entity as the device shows it: confirmed, then each queued mutation in order."""
    shown = dict(confirmed)
    for mutation in queued:
        for write in local_writes(mutation, device_id):
            key = (write.kind, write.entity_id)
            state = overlay(shown.get(key), write)
            if state is not None:
                shown[key] = state
    return shown
