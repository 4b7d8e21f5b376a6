"""Conflict rules: pure, and the same whatever order writes arrive in.

Theory of operation. An entity is a map of field name to :class:`FieldStamp` (value, HLC,
writing device, and the stamp the writer had seen). Each field follows the rule sync/schema.py
gives it, and every rule is a *join*: commutative, associative and idempotent, so replicas that
receive the same writes in any order, with duplicates, end in the same state.

* ``LWW``: the stamp with the larger (HLC, device id, canonical value) wins. The loser is
  reported as a :class:`Conflict` unless its value is the same or the winner was written on
  top of it (``winner.base_hlc == loser.hlc``): nothing is dropped without a trace.
* lattices: the higher rank wins, so a status never moves back; each value has its own rank
  (sync/lattices.py), so the loser of an equal rank wrote the same value.
* ``GROW_SET``: union of the ids.
* ``IMMUTABLE`` / ``SET_ONCE``: the earliest stamp is kept; a *different* later value of an
  ``IMMUTABLE`` field raises :class:`~sync.errors.MutationRejectedError` and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import msgspec

from sync.entities import EntityKind
from sync.errors import MutationRejectedError, RejectionCode
from sync.lattices import rank
from sync.schema import FIELD_RULES, LATTICE_OF, Rule

_CANONICAL = msgspec.json.Encoder(order="sorted")


class FieldStamp(msgspec.Struct, frozen=True):
    """One field's value and who wrote it when; ``base_hlc`` is the stamp the writer saw."""

    value: object
    hlc: int
    device_id: uuid.UUID
    base_hlc: int = 0


class EntityState(msgspec.Struct, frozen=True):
    """An entity as a replica holds it: every field with its stamp."""

    kind: EntityKind
    entity_id: uuid.UUID
    fields: dict[str, FieldStamp]


class Conflict(msgspec.Struct, frozen=True):
    """A value that lost to a concurrent one; kept so a dispatcher can see and resolve it."""

    kind: EntityKind
    entity_id: uuid.UUID
    field: str
    losing: FieldStamp
    winning: FieldStamp

    @property
    def key(self) -> tuple[str, uuid.UUID, str, int, uuid.UUID]:
        """Identifies the lost write, so recording a conflict twice is harmless."""
        return self.kind, self.entity_id, self.field, self.losing.hlc, self.losing.device_id


class MergeResult(msgspec.Struct, frozen=True):
    """The merged entity, the stamps that changed, and the conflicts found."""

    state: EntityState
    changed: dict[str, FieldStamp]
    conflicts: list[Conflict]


class FieldMerge(msgspec.Struct, frozen=True):
    """The result of merging one field: its new stamp and a loser to keep, if any."""

    winner: FieldStamp
    loser: FieldStamp | None = None


def canonical(value: object) -> bytes:
    """Deterministic bytes for a value: equal values, equal bytes."""
    return _CANONICAL.encode(value)


def _key(stamp: FieldStamp) -> tuple[int, int, bytes, int]:
    """A total order on stamps; beyond (HLC, device) it only matters for a misbehaving device."""
    return stamp.hlc, stamp.device_id.int, canonical(stamp.value), stamp.base_hlc


def _lww(current: FieldStamp, incoming: FieldStamp) -> FieldMerge:
    winner, loser = sorted((current, incoming), key=_key, reverse=True)
    seen = winner.base_hlc == loser.hlc
    if seen or canonical(winner.value) == canonical(loser.value):
        return FieldMerge(winner=winner)
    return FieldMerge(winner=winner, loser=loser)


def _lattice(rule: Rule, current: FieldStamp, incoming: FieldStamp) -> FieldMerge:
    lattice = LATTICE_OF[rule]

    def ranked(stamp: FieldStamp) -> tuple[int, tuple[int, int, bytes, int]]:
        return rank(lattice, stamp.value), _key(stamp)

    return FieldMerge(winner=max(current, incoming, key=ranked))


def _grow_set(current: FieldStamp, incoming: FieldStamp) -> FieldMerge:
    newest = max(current, incoming, key=_key)
    union = sorted({*_as_ids(current.value), *_as_ids(incoming.value)})
    return FieldMerge(winner=FieldStamp(union, newest.hlc, newest.device_id))


def _as_ids(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MutationRejectedError(RejectionCode.INVALID_VALUE, "expected a list of ids")
    return value


def _first(field: str, rule: Rule, current: FieldStamp, incoming: FieldStamp) -> FieldMerge:
    differs = canonical(current.value) != canonical(incoming.value)
    if rule is Rule.IMMUTABLE and differs:
        raise MutationRejectedError(
            RejectionCode.IMMUTABLE_FIELD, f"{field} cannot change once it is set"
        )
    return FieldMerge(winner=min(current, incoming, key=_key))


def merge_field(
    field: str, rule: Rule, current: FieldStamp | None, incoming: FieldStamp
) -> FieldMerge:
    """Merge one incoming stamp into a field's current stamp under ``rule``."""
    if current is None and rule is Rule.GROW_SET:
        return _grow_set(incoming, incoming)
    if current is None:
        return FieldMerge(winner=incoming)
    match rule:
        case Rule.LWW:
            return _lww(current, incoming)
        case Rule.REPORT_STATUS:
            return _lattice(rule, current, incoming)
        case Rule.GROW_SET:
            return _grow_set(current, incoming)
        case Rule.IMMUTABLE | Rule.SET_ONCE:
            return _first(field, rule, current, incoming)


def merge_stamps(
    state: EntityState | None,
    kind: EntityKind,
    entity_id: uuid.UUID,
    incoming: Mapping[str, FieldStamp],
) -> MergeResult:
    """Merge stamped fields into an entity (``None``: not seen yet); all or nothing."""
    rules = FIELD_RULES[kind]
    unknown = sorted(incoming.keys() - rules.keys())
    if unknown:
        raise MutationRejectedError(
            RejectionCode.INVALID_VALUE, f"{kind} has no field {unknown[0]}"
        )
    fields = dict(state.fields) if state is not None else {}
    changed: dict[str, FieldStamp] = {}
    conflicts: list[Conflict] = []
    for name, stamp in sorted(incoming.items()):
        outcome = merge_field(name, rules[name], fields.get(name), stamp)
        if outcome.winner != fields.get(name):
            fields[name] = changed[name] = outcome.winner
        if outcome.loser is not None:
            conflicts.append(Conflict(kind, entity_id, name, outcome.loser, outcome.winner))
    merged = EntityState(kind=kind, entity_id=entity_id, fields=fields)
    return MergeResult(state=merged, changed=changed, conflicts=conflicts)


def join(left: EntityState, right: EntityState) -> EntityState:
    """The join of two replicas of one entity (the state-based view of the same rules)."""
    if (left.kind, left.entity_id) != (right.kind, right.entity_id):
        raise ValueError("can only join two replicas of the same entity")
    return merge_stamps(left, left.kind, left.entity_id, right.fields).state


class Write(msgspec.Struct, frozen=True, kw_only=True):
    """Values one mutation sets on one entity, all under the mutation's stamp."""

    kind: EntityKind
    entity_id: uuid.UUID
    values: dict[str, object]
    hlc: int
    device_id: uuid.UUID
    base: dict[str, int] = msgspec.field(default_factory=dict)
    must_exist: bool = False


def apply_write(state: EntityState | None, write: Write) -> MergeResult:
    """Merge a write into an entity (``None``: not seen yet); all or nothing."""
    if state is None and write.must_exist:
        raise MutationRejectedError(
            RejectionCode.NOT_FOUND, f"{write.kind} {write.entity_id} does not exist"
        )
    stamps = {
        name: FieldStamp(value, write.hlc, write.device_id, write.base.get(name, 0))
        for name, value in write.values.items()
    }
    return merge_stamps(state, write.kind, write.entity_id, stamps)
