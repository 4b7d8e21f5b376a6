"""Sync actions: push, pull, snapshot, and the dispatcher's review of conflicts.

The engine (`sync.rules`, `sync.pull`) decides; this module supplies what only the server
knows: who the caller is and which scopes that allows, the node's clock (`AppState.sync_clock`,
passed in), the rules the domains registered for their entities (server/sync/push_rules.py:
the incident lifecycle for status changes, custody for recordings), and one database
transaction per push. A push answers only after
its transaction has committed, so an acknowledged mutation is never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Final

import asyncpg
import msgspec

from server.auth.owners import device_owner
from server.auth.schemas import Principal, Role, Scope
from server.auth.scope import incidents_within
from server.db import Database
from server.errors import Conflict, Forbidden, NotFound, Unprocessable
from server.sync import admin_repository, compaction, outcomes, push_rules, reports
from server.sync.repository import SyncRepository
from server.sync.schemas import ConflictOut, ConflictStatus, Keep
from server.sync.scopes import (
    CHILD_KINDS,
    RECORDING_SCOPE_PREFIX,
    RECORDINGS_SCOPE,
    RESTRICTED_RECORDINGS_SCOPE,
    ScopeResolver,
    crew_scope,
    district_scope,
    incident_scope,
    incidents_named,
    parent_of,
    recording_owner_scope,
    stored_parent,
)
from server.sync.writes import now_ms, write_as_server
from sync.entities import EntityKind
from sync.errors import LocalError, MutationRejectedError, ScopeForbiddenError
from sync.hlc import HybridClock
from sync.messages import (
    PullLimits,
    PushLimits,
    SnapshotPage,
    SnapshotRequest,
    check_schema_version,
)
from sync.pull import PullContext, serve_pull, serve_snapshot
from sync.rules import PushContext, PushPlan, apply_plan, plan_push
from sync.wire import decode_pull_request, decode_push, encode

logger = logging.getLogger(__name__)

PUSH_LIMITS: Final = PushLimits()
PULL_LIMITS: Final = PullLimits()


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """A database failure is ours: the client retries unchanged (503)."""
    try:
        yield
    except (sqlite3.Error, asyncpg.PostgresError) as err:
        logger.warning("sync storage failed: %s", err)
        raise LocalError("the database failed; nothing was applied, retry later") from err


async def readable_scopes(db: Database, who: Principal, report_window_s: float) -> frozenset[str]:
    """The scopes a caller may pull, decided now (see server/sync/scopes.py)."""
    if who.role is Role.CREW and who.crew_id is not None:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=report_window_s)
        incidents = await admin_repository.crew_incidents(db, who.crew_id, since)
        district = await admin_repository.crew_district(db, who.crew_id)
        own = {crew_scope(who.crew_id), *map(incident_scope, incidents)}
        return frozenset(own | ({district_scope(district)} if district else set()))
    if who.role is Role.UPLOAD_STATION:
        devices = await admin_repository.devices_of(db, device_owner(who))
        return frozenset(map(recording_owner_scope, devices))
    if not who.scope.unlimited:
        return await _scoped_reading(db, who.scope)
    every = await admin_repository.every_scope(db)
    if who.role is Role.ADMIN:
        return frozenset({RECORDINGS_SCOPE, *every})
    # Dispatchers: not restricted recordings, nor each owner's own copy of the open ones.
    return frozenset(
        {RECORDINGS_SCOPE, *(s for s in every if not s.startswith(RECORDING_SCOPE_PREFIX))}
    )


async def _scoped_reading(db: Database, scope: Scope) -> frozenset[str]:
    """A scoped dispatcher's or admin's sync scopes: its districts' and its incidents', no
    more. Not the crews' (a crew's reports may be of any district), nor the recordings' (those
    of its incidents come in the incidents' scopes)."""
    # A district's scope carries all of its incidents: not for a reviewer of a few cameras.
    districts = scope.districts or frozenset() if scope.cameras is None else frozenset()
    incidents = await incidents_within(db, scope)
    return frozenset({*map(district_scope, districts), *map(incident_scope, incidents)})


async def _writable_scopes(
    db: Database, who: Principal, report_window_s: float, districts: dict[int, str]
) -> frozenset[str] | None:
    if who.role is Role.CREW:
        readable = await readable_scopes(db, who, report_window_s)
        # A report on an assigned incident in another district also lands in that district.
        assigned = {
            district_scope(district)
            for number, district in districts.items()
            if incident_scope(number) in readable
        }
        return readable | assigned
    if not who.scope.unlimited:  # a scoped dispatcher writes where it reads
        return await readable_scopes(db, who, report_window_s)
    return None  # upload stations are limited by kind (ScopeResolver), dispatchers write anywhere


async def _check_owner(repo: SyncRepository, device_id: uuid.UUID, who: Principal) -> None:
    owner = await repo.device_owner(device_id)
    if owner is not None and owner != device_owner(who):
        raise Forbidden(f"Device {device_id} belongs to {owner}.", code="device_not_yours")


async def _prefetch_around(repo: SyncRepository, plan: PushPlan) -> None:
    """Load what the push reads besides the entities `plan_push` prefetched: the stored
    results of the retries, and the reports the child rows belong to (their scopes)."""
    seen = [step.mutation.client_seq for step in plan.steps if not step.fresh]
    if seen:
        await repo.prefetch_results(plan.batch.device_id, min(seen), max(seen))
    parents = {
        parent
        for write in plan.writes()
        if write.kind in CHILD_KINDS
        for parent in (
            parent_of(write.values),
            stored_parent(repo.cached, write.kind, write.entity_id),
        )
        if parent is not None
    }
    await repo.prefetch((EntityKind.INCIDENT_REPORT, parent) for parent in parents)


async def _districts(db: Database, repo: SyncRepository, plan: PushPlan) -> dict[int, str]:
    """The districts of the incidents the batch's entities (and their parents) name."""
    numbers: set[int] = set()
    for write in plan.writes():
        numbers.update(incidents_named(repo.cached, write.kind, write.entity_id, write.values))
    return await admin_repository.incident_districts(db, numbers)


async def _context(
    db: Database,
    clock: HybridClock,
    who: Principal,
    repo: SyncRepository,
    plan: PushPlan,
    report_window_s: float,
) -> PushContext:
    """What only the server knows about this push: its time, scopes and rules."""
    districts = await _districts(db, repo, plan)
    caller = push_rules.PushCaller(
        db=db,
        clock=clock,
        who=who,
        device_id=plan.batch.device_id,
        lookup=repo.cached,
        owner_of=repo.device_owner,
    )
    return PushContext(
        server_now_ms=now_ms(),
        server_hlc=clock.stamp,
        scopes_of=ScopeResolver(repo.cached, who.role, districts.get),
        allowed_scopes=await _writable_scopes(db, who, report_window_s, districts),
        on_apply=push_rules.for_push(caller),
    )


async def push(
    db: Database, clock: HybridClock, who: Principal, body: bytes, report_window_s: float
) -> bytes:
    """Apply a push in one transaction; answers only once it has committed."""
    batch = decode_push(body, PUSH_LIMITS)
    owner = device_owner(who)
    with _storage_errors():
        async with db.write():
            repo = SyncRepository(db)
            claimed_by, _ = await repo.claim_device(batch.device_id, owner, batch.schema_version)
            if claimed_by != owner:
                raise Forbidden(
                    f"Device {batch.device_id} belongs to {claimed_by}.", code="device_not_yours"
                )
            plan = await plan_push(repo, batch, now_ms())
            await _prefetch_around(repo, plan)
            ctx = await _context(db, clock, who, repo, plan, report_window_s)
            with repo.open_for_push():
                response = await apply_plan(repo, plan, ctx)
                changes = reports.changed_by(plan, response.results, repo.cached)
                if changes.incidents:
                    await reports.announce(db, changes)
                    await push_rules.reports_changed(db, clock, changes)
            repo.record_offset(batch.device_id, response.clock_offset_ms)
            await repo.flush()
    clock.observe(response.server_hlc)
    return encode(response)


async def pull(
    db: Database, clock: HybridClock, who: Principal, body: bytes, report_window_s: float
) -> bytes:
    """One page of changes across the caller's scopes."""
    request = decode_pull_request(body)
    repo = SyncRepository(db)
    with _storage_errors():
        async with repo.reading():
            await _check_owner(repo, request.device_id, who)
            allowed = await readable_scopes(db, who, report_window_s)
            await repo.prefetch_bounds(sorted(allowed & request.cursors.keys()))
            wall_ms = now_ms()
            ctx = PullContext(
                allowed_scopes=allowed,
                server_now_ms=wall_ms,
                server_hlc=clock.tick(wall_ms),
                limits=PULL_LIMITS,
            )
            response = await serve_pull(repo, request, ctx)
            if await compaction.horizons_moved(db, request.cursors, response.cursors):
                # Compaction committed mid-page (PostgreSQL): answer again, now with ``reset``.
                response = await serve_pull(SyncRepository(db), request, ctx)
    return encode(response)


async def open_snapshot(
    db: Database, who: Principal, request: SnapshotRequest, report_window_s: float
) -> AsyncIterator[bytes]:
    """Check the request now (errors become statuses), then stream pages as NDJSON lines."""
    check_schema_version(request.schema_version)
    repo = SyncRepository(db)
    with _storage_errors():
        async with repo.reading():
            await _check_owner(repo, request.device_id, who)
            allowed = await readable_scopes(db, who, report_window_s)
    if request.scope not in allowed:
        raise ScopeForbiddenError(request.scope)
    return _snapshot_lines(repo, request, allowed)


async def _snapshot_page(
    repo: SyncRepository, request: SnapshotRequest, allowed: frozenset[str]
) -> SnapshotPage:
    with _storage_errors():
        async with repo.reading():
            return await serve_snapshot(repo, request, allowed, PULL_LIMITS)


async def _snapshot_lines(
    repo: SyncRepository, request: SnapshotRequest, allowed: frozenset[str]
) -> AsyncIterator[bytes]:
    after = request.after_id
    while True:
        page_request = msgspec.structs.replace(request, after_id=after)
        # A device that drops the stream cancels this generator; the page's read finishes in
        # its own task, so its transaction always closes and no connection is left behind.
        page = await asyncio.shield(_snapshot_page(repo, page_request, allowed))
        yield encode(page) + b"\n"
        if page.next_after_id is None:
            return
        after = page.next_after_id


def _hidden_scope(who: Principal) -> str | None:
    """The scope whose conflicts a reviewer may not see: restricted recordings, admins only."""
    return None if who.role is Role.ADMIN else RESTRICTED_RECORDINGS_SCOPE


async def list_conflicts(
    db: Database, who: Principal, status: ConflictStatus | None, limit: int, offset: int
) -> list[ConflictOut]:
    return await admin_repository.conflicts(
        db, status, limit, offset, hidden_scope=_hidden_scope(who)
    )


async def _restore_loser(db: Database, clock: HybridClock, conflict: ConflictOut) -> None:
    """Write the losing value again, as the server, after the current one: a normal change."""
    kind = EntityKind(conflict.entity)
    values = {conflict.field: conflict.losing_value}
    try:
        written = await write_as_server(
            db, clock, kind, conflict.entity_id, values, must_exist=True
        )
    except MutationRejectedError as err:
        raise Unprocessable(err.reason, code=str(err.rejection_code)) from err
    if written is None:
        raise NotFound(f"{kind} {conflict.entity_id} no longer exists.")


async def resolve_conflict(
    db: Database, clock: HybridClock, conflict_id: int, keep: Keep, who: Principal
) -> ConflictOut:
    """Close a conflict, keeping the winner or restoring the loser for every device."""
    async with db.write():
        conflict = await admin_repository.find_conflict(db, conflict_id)
        hidden = _hidden_scope(who)
        if conflict is None or (
            hidden is not None and await admin_repository.in_scope(db, hidden, conflict.entity_id)
        ):
            raise NotFound(f"There is no sync conflict with id {conflict_id}.")
        if conflict.status is ConflictStatus.RESOLVED:
            raise Conflict(f"Conflict {conflict_id} is already resolved.", code="already_resolved")
        if keep is Keep.LOSER:
            await _restore_loser(db, clock, conflict)
        await outcomes.mark_resolved(db, conflict_id, keep, who.actor, dt.datetime.now(dt.UTC))
        resolved = await admin_repository.find_conflict(db, conflict_id)
    assert resolved is not None
    return resolved
