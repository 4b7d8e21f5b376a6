"""The pull and snapshot engines: pages of changes by per-scope server cursors.

Cursors are the server's per-scope sequence numbers, never device time, so a skewed tablet
clock cannot make a client skip rows. The scopes a device may read are decided by the server
at request time and passed in; comparing them with the cursors the device sent gives:

* a scope allowed but not in the request, or with a cursor older than the compaction horizon:
  ``reset`` (fetch ``/snapshot`` again, keeping pending local edits);
* a scope in the request but no longer allowed: ``evict``.
"""

from __future__ import annotations

import uuid

import msgspec

from sync.errors import ScopeForbiddenError
from sync.messages import (
    Change,
    PullLimits,
    PullRequest,
    PullResponse,
    SnapshotPage,
    SnapshotRequest,
)
from sync.store import Store

_ENCODER = msgspec.json.Encoder()


class PullContext(msgspec.Struct, frozen=True, kw_only=True):
    """What the server decided before serving a pull."""

    allowed_scopes: frozenset[str]
    server_now_ms: int
    server_hlc: int
    limits: PullLimits = PullLimits()


class _Page(msgspec.Struct):
    """A page being filled, within both the change and the byte limits."""

    max_changes: int
    max_bytes: int
    changes: list[Change] = msgspec.field(default_factory=list)
    size_bytes: int = 0
    full: bool = False

    def add(self, change: Change) -> bool:
        """Add a change if it fits; the first always fits so a page is never empty."""
        size = len(_ENCODER.encode(change))
        over = self.size_bytes + size > self.max_bytes or len(self.changes) >= self.max_changes
        if over and self.changes:
            self.full = True
            return False
        self.changes.append(change)
        self.size_bytes += size
        return True


async def _needs_reset(store: Store, scope: str, cursor: int) -> bool:
    bounds = await store.scope_bounds(scope)
    return cursor < bounds.horizon - 1


async def _fill(store: Store, page: _Page, scope: str, cursor: int) -> int:
    """Add the scope's changes after ``cursor``; return the scope's new cursor."""
    room = page.max_changes - len(page.changes)
    changes = await store.read_changes(scope, cursor, room + 1)
    for change in changes:
        if not page.add(change):
            return cursor
        cursor = change.seq
    if len(changes) > room:
        page.full = True
    return cursor


async def serve_pull(store: Store, request: PullRequest, ctx: PullContext) -> PullResponse:
    """Answer a pull with one page across the device's allowed scopes."""
    # Read before the changes: every mutation acknowledged here has committed, so its changes
    # are in this page or a later one, and a client that drops its optimistic overlay at
    # ``acked_seq`` once it has pulled to the end never shows a value going back and forth.
    device = await store.get_device_state(request.device_id)
    limit = min(request.limit, ctx.limits.max_changes)
    page = _Page(max_changes=limit, max_bytes=ctx.limits.max_bytes)
    reset = sorted(ctx.allowed_scopes - request.cursors.keys())
    evict = sorted(request.cursors.keys() - ctx.allowed_scopes)
    cursors: dict[str, int] = {}
    for scope in sorted(ctx.allowed_scopes & request.cursors.keys()):
        cursor = request.cursors[scope]
        if await _needs_reset(store, scope, cursor):
            reset.append(scope)
        elif page.full:
            cursors[scope] = cursor
        else:
            cursors[scope] = await _fill(store, page, scope, cursor)
    return PullResponse(
        changes=page.changes,
        cursors=cursors,
        has_more=page.full,
        reset=sorted(reset),
        evict=evict,
        acked_seq=device.last_seq,
        server_hlc=ctx.server_hlc,
        server_time_ms=ctx.server_now_ms,
    )


async def serve_snapshot(
    store: Store, request: SnapshotRequest, allowed_scopes: frozenset[str], limits: PullLimits
) -> SnapshotPage:
    """One page of a scope's current rows, resumable by ``after_id``.

    ``cursor`` is the scope's head read *before* the rows: changes after it are pulled later,
    and merging a change the rows already include is harmless.
    """
    if request.scope not in allowed_scopes:
        raise ScopeForbiddenError(request.scope)
    head = (await store.scope_bounds(request.scope)).head
    limit = min(request.limit, limits.max_changes)
    rows = await store.read_snapshot(request.scope, request.after_id, limit + 1)
    next_after_id: uuid.UUID | None = rows[limit - 1].entity_id if len(rows) > limit else None
    return SnapshotPage(
        scope=request.scope, rows=rows[:limit], cursor=head, next_after_id=next_after_id
    )
