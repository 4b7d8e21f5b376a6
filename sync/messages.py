"""The push, pull and snapshot messages of ``/sync/v1``, and their limits.

Wire messages are tolerant: unknown fields are ignored and new fields arrive with defaults
(STYLE rule 5), so an older server and a newer client still understand each other within the
supported schema versions. Every request carries ``schema_version``; the server speaks the
current one and the two before it (:func:`check_schema_version`). Results are tagged unions
(``status``) to be handled with ``match``.
"""

from __future__ import annotations

import enum
import uuid
from typing import Annotated, Final, TypeAlias

import msgspec
from msgspec import Meta

from sync.entities import EntityKind
from sync.errors import InvalidMessageError, UnknownSchemaVersionError, UpgradeRequiredError
from sync.hlc import MAX_PHYSICAL_MS
from sync.merge import EntityState, FieldStamp
from sync.mutations import AnyMutation

SCHEMA_VERSION: Final = 1
FIRST_SCHEMA_VERSION: Final = 1  # versions count from here; nothing below ever existed
SUPPORTED_OLDER_VERSIONS: Final = 2  # the N-2 rule
MAX_STAMP: Final = 2**63 - 1  # stamps are stored as signed 64-bit integers

Cursor = Annotated[int, Meta(ge=0)]
Scope = Annotated[str, Meta(min_length=1, max_length=100)]
WallMs = Annotated[int, Meta(ge=0, le=MAX_PHYSICAL_MS)]
"""A device's wall clock in ms since the epoch, within what a stamp can hold: its offset from
the server's clock is stored, and a value past int64 would fail the whole push."""
DeviceStamp = Annotated[int, Meta(ge=0, le=MAX_STAMP)]


def check_schema_version(schema_version: int, current: int = SCHEMA_VERSION) -> None:
    """Accept versions ``current - 2`` to ``current`` (never below the first); older: upgrade,
    newer: unknown, below the first: not a version at all."""
    if schema_version < FIRST_SCHEMA_VERSION:
        raise InvalidMessageError(
            f"there is no schema_version {schema_version}; versions start at {FIRST_SCHEMA_VERSION}"
        )
    oldest = max(FIRST_SCHEMA_VERSION, current - SUPPORTED_OLDER_VERSIONS)
    if schema_version < oldest:
        raise UpgradeRequiredError(schema_version, oldest)
    if schema_version > current:
        raise UnknownSchemaVersionError(schema_version, current)


class PushLimits(msgspec.Struct, frozen=True):
    """How much one push may carry; sent back with a 413 so the client can halve its batch."""

    max_mutations: int = 200
    max_bytes: int = 1024 * 1024


class PullLimits(msgspec.Struct, frozen=True):
    """How much one pull page may hold."""

    max_changes: int = 1000
    max_bytes: int = 4 * 1024 * 1024


class PushRequest(msgspec.Struct, frozen=True, kw_only=True):
    """An ordered batch of one device's mutations, consecutive in ``client_seq``."""

    schema_version: int
    device_id: uuid.UUID
    device_wall_ms: WallMs
    client_hlc: DeviceStamp = 0
    mutations: list[AnyMutation]


class Applied(msgspec.Struct, frozen=True, kw_only=True, tag_field="status", tag="applied"):
    """The mutation was merged; ``server_seq`` is its position in each scope's change log."""

    client_seq: int
    mutation_id: uuid.UUID
    effective_hlc: int
    server_seq: dict[str, int] = msgspec.field(default_factory=dict)
    conflicts: int = 0


class Rejected(msgspec.Struct, frozen=True, kw_only=True, tag_field="status", tag="rejected"):
    """The mutation is refused for good; the client moves it to its rejected inbox."""

    client_seq: int
    mutation_id: uuid.UUID
    code: str
    reason: str


class Duplicate(msgspec.Struct, frozen=True, kw_only=True, tag_field="status", tag="duplicate"):
    """Seen before: this is the stored result of the first delivery, replayed."""

    client_seq: int
    original: Applied | Rejected | None = None  # None: accepted long ago, result not kept


PushResult: TypeAlias = Applied | Rejected | Duplicate


class PushResponse(msgspec.Struct, frozen=True, kw_only=True):
    """One result per mutation, in order; ``last_seq`` is the device's last accepted seq."""

    results: list[PushResult]
    last_seq: int
    server_hlc: int
    server_time_ms: int
    clock_offset_ms: int
    clamped: bool = False


class PullRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Changes after each scope's cursor (0: from the start)."""

    schema_version: int
    device_id: uuid.UUID
    cursors: dict[Scope, Cursor] = msgspec.field(default_factory=dict)
    limit: Annotated[int, Meta(ge=1)] = 1000


class ChangeOp(enum.StrEnum):
    """What a change-log entry does to an entity on the client."""

    UPSERT = "upsert"  # merge ``fields`` into the entity
    PURGE = "purge"  # retention removed it for good; drop it


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of a scope's change log: stamped fields to merge."""

    scope: str
    seq: int
    kind: EntityKind
    entity_id: uuid.UUID
    op: ChangeOp = ChangeOp.UPSERT
    fields: dict[str, FieldStamp] = msgspec.field(default_factory=dict)


class PullResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A page of changes and the cursors to send next time.

    ``reset``: scopes to fetch again from ``/snapshot`` (new, or cursor past the compaction
    horizon); ``evict``: scopes no longer allowed, whose rows the client drops unless they have
    pending local edits. ``acked_seq`` is the device's last accepted client_seq.
    """

    changes: list[Change]
    cursors: dict[str, int]
    has_more: bool
    reset: list[str] = msgspec.field(default_factory=list)
    evict: list[str] = msgspec.field(default_factory=list)
    acked_seq: int = 0
    server_hlc: int = 0
    server_time_ms: int = 0


class SnapshotRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a scope's current rows after ``after_id`` (``None``: from the start)."""

    schema_version: int
    device_id: uuid.UUID
    scope: Scope
    after_id: uuid.UUID | None = None
    limit: Annotated[int, Meta(ge=1)] = 1000


class SnapshotPage(msgspec.Struct, frozen=True, kw_only=True):
    """Rows ordered by id; ``cursor`` is where to pull from once the snapshot is complete."""

    scope: str
    rows: list[EntityState]
    cursor: int
    next_after_id: uuid.UUID | None = None


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The body of every refused request: a code, a sentence, and the numbers that help."""

    code: str
    detail: str
    expected: int | None = None
    limits: PushLimits | None = None
    oldest_supported: int | None = None
