"""The push engine: apply a device's ordered batch exactly once, never stalling its queue.

Theory of operation, for each mutation in order, with ``last`` the device's last accepted seq:

* ``client_seq <= last``: a retry. Replay the stored result as ``duplicate``; nothing is applied
  again. (If the stored id differs, the device reused a seq: reject that one, visibly.)
* ``client_seq == last + 1``: clamp its HLC, merge its writes, append the changes to each
  scope's log, store the result and advance ``last`` - all in one transaction.
* ``client_seq > last + 1``: a hole. The whole batch is refused with ``gap`` before anything is
  applied, and the device re-sends from ``expected``.

Before the loop, the batch is planned once (`plan_push`): the sequence checked, each fresh
mutation expanded into its entity writes, and the entities those writes touch handed to
``Store.prefetch`` in one call; the rest of the push reads only what that loaded. A write gets
its mutation's stamp when the mutation is accepted, the only part that depends on the order.

A permanent refusal (an immutable fact changed, a scope not allowed, a body that does not
decode, or the embedding server's own rules through ``PushContext.on_apply``) is stored as a
``rejected`` result and still advances ``last``, so one bad mutation never blocks the ones
behind it. A storage failure raises and advances nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence

import msgspec

from sync import hlc
from sync.errors import MutationRejectedError, RejectionCode, SequenceGapError
from sync.merge import EntityState, MergeResult, Write, apply_write
from sync.messages import Applied, Duplicate, PushResponse, PushResult, Rejected
from sync.mutations import AnyMutation, Receipt, writes_of
from sync.store import EntityKey, Store
from sync.wire import InvalidMutation, PushBatch

ScopesOf = Callable[[EntityState], Sequence[str]]
# The server's own rules for one mutation (a state machine, side effects such as a timeline
# entry). It runs inside the mutation's transaction once the merge is planned and the scopes
# allowed, before anything of the mutation is written; it may raise MutationRejectedError,
# but only before it has written anything itself.
OnApply = Callable[[AnyMutation, Receipt], Awaitable[None]]


class PushContext(msgspec.Struct, frozen=True, kw_only=True):
    """What the server knows when it applies a push (time passed in, never read here)."""

    server_now_ms: int
    server_hlc: int
    scopes_of: ScopesOf
    allowed_scopes: frozenset[str] | None = None  # None: may write anywhere (dispatcher)
    max_ahead_ms: int = hlc.DEFAULT_MAX_AHEAD_MS
    on_apply: OnApply | None = None


class _Planned(msgspec.Struct, frozen=True):
    merge: MergeResult
    scopes: list[str]


class Step(msgspec.Struct, frozen=True):
    """One mutation of a planned batch: a retry to replay, or a fresh one with its writes
    (stamped 0 until it is accepted; none for a body that did not decode)."""

    mutation: AnyMutation | InvalidMutation
    fresh: bool
    writes: list[Write] = msgspec.field(default_factory=list)


class PushPlan(msgspec.Struct, frozen=True):
    """A batch checked and expanded once: what the store prefetches and the push applies."""

    batch: PushBatch
    last_seq: int
    steps: list[Step]

    def writes(self) -> Iterator[Write]:
        """Every write of the fresh mutations, in batch order."""
        return (write for step in self.steps for write in step.writes)

    def keys(self) -> frozenset[EntityKey]:
        """The entities the batch touches."""
        return frozenset((write.kind, write.entity_id) for write in self.writes())


def check_sequence(client_seqs: Sequence[int], last_seq: int) -> None:
    """Refuse the batch if it leaves a hole after ``last_seq`` (retries may repeat seqs)."""
    expected = last_seq + 1
    for seq in client_seqs:
        if seq > expected:
            raise SequenceGapError(expected=expected, received=seq)
        expected = max(expected, seq + 1)


async def _plan(store: Store, ctx: PushContext, write: Write) -> _Planned:
    """Merge one write without storing anything; rejects what the device may not do."""
    current = await store.load_entity(write.kind, write.entity_id)
    merged = apply_write(current, write)
    scopes = list(ctx.scopes_of(merged.state))
    touched = set(scopes) | set(ctx.scopes_of(current) if current is not None else ())
    if ctx.allowed_scopes is not None and not touched <= ctx.allowed_scopes:
        raise MutationRejectedError(
            RejectionCode.SCOPE_FORBIDDEN, f"{write.kind} {write.entity_id} is outside your scopes"
        )
    return _Planned(merged, scopes)


async def _commit(store: Store, planned: _Planned, mutation_id: uuid.UUID) -> dict[str, int]:
    merge = planned.merge
    for conflict in merge.conflicts:
        await store.record_conflict(conflict, mutation_id)
    if not merge.changed:
        return {}
    await store.save_entity(merge.state, planned.scopes)
    state = merge.state
    return {
        scope: await store.append_change(scope, state.kind, state.entity_id, merge.changed)
        for scope in planned.scopes
    }


async def _apply(
    store: Store, ctx: PushContext, mutation: AnyMutation, writes: list[Write], receipt: Receipt
) -> Applied | Rejected:
    try:
        stamped = [msgspec.structs.replace(write, hlc=receipt.hlc) for write in writes]
        plans = [await _plan(store, ctx, write) for write in stamped]
        if ctx.on_apply is not None:
            await ctx.on_apply(mutation, receipt)
    except MutationRejectedError as err:
        return Rejected(
            client_seq=mutation.client_seq,
            mutation_id=mutation.mutation_id,
            code=err.rejection_code,
            reason=err.reason,
        )
    server_seq: dict[str, int] = {}
    for planned in plans:
        server_seq.update(await _commit(store, planned, mutation.mutation_id))
    conflicts = sum(len(planned.merge.conflicts) for planned in plans)
    return Applied(
        client_seq=mutation.client_seq,
        mutation_id=mutation.mutation_id,
        effective_hlc=receipt.hlc,
        server_seq=server_seq,
        conflicts=conflicts,
    )


def _invalid(mutation: InvalidMutation) -> Rejected:
    return Rejected(
        client_seq=mutation.client_seq,
        mutation_id=mutation.mutation_id,
        code=mutation.code,
        reason=mutation.reason,
    )


async def _replay(
    store: Store, device_id: uuid.UUID, mutation: AnyMutation | InvalidMutation
) -> PushResult:
    stored = await store.get_result(device_id, mutation.client_seq)
    if stored is not None and stored.mutation_id != mutation.mutation_id:
        return Rejected(
            client_seq=mutation.client_seq,
            mutation_id=mutation.mutation_id,
            code=RejectionCode.SEQUENCE_REUSED,
            reason=f"client_seq {mutation.client_seq} already belongs to another mutation",
        )
    return Duplicate(client_seq=mutation.client_seq, original=stored)


class _Clock(msgspec.Struct):
    """The server's HLC as it moves through one push, and whether anything was clamped."""

    stamp: int
    clamped: bool = False


def _receipt(ctx: PushContext, batch: PushBatch, mutation: AnyMutation, clock: _Clock) -> Receipt:
    clamped = hlc.clamp(mutation.hlc, ctx.server_now_ms, ctx.max_ahead_ms)
    clock.stamp = hlc.receive(clock.stamp, clamped.stamp, ctx.server_now_ms)
    clock.clamped = clock.clamped or clamped.was_clamped
    # Clamping squeezes a fast device's writes onto one ceiling; taking the server's clock
    # after receiving each one keeps them distinct and in the device's order.
    effective = clock.stamp if clamped.was_clamped else clamped.stamp
    offset_ms = hlc.clock_offset_ms(batch.device_wall_ms, ctx.server_now_ms)
    return Receipt(batch.device_id, effective, ctx.server_now_ms, offset_ms)


async def _accept(
    store: Store, ctx: PushContext, batch: PushBatch, step: Step, clock: _Clock
) -> Applied | Rejected:
    mutation = step.mutation
    async with store.transaction():
        if isinstance(mutation, InvalidMutation):
            result: Applied | Rejected = _invalid(mutation)
        else:
            receipt = _receipt(ctx, batch, mutation, clock)
            result = await _apply(store, ctx, mutation, step.writes, receipt)
        await store.save_result(batch.device_id, result)
        await store.set_last_seq(batch.device_id, mutation.client_seq)
    return result


def _steps(batch: PushBatch, last_seq: int, server_now_ms: int) -> list[Step]:
    # Every stamp-independent part of a receipt is the batch's; the stamp comes at accept.
    offset_ms = hlc.clock_offset_ms(batch.device_wall_ms, server_now_ms)
    unstamped = Receipt(batch.device_id, 0, server_now_ms, offset_ms)
    steps: list[Step] = []
    for mutation in batch.mutations:
        fresh = mutation.client_seq > last_seq
        writes = (
            writes_of(mutation, unstamped)
            if fresh and not isinstance(mutation, InvalidMutation)
            else []
        )
        steps.append(Step(mutation, fresh, writes))
        last_seq = max(last_seq, mutation.client_seq)
    return steps


async def plan_push(store: Store, batch: PushBatch, server_now_ms: int) -> PushPlan:
    """Check a decoded batch's sequence (SequenceGapError, nothing applied, for a hole),
    expand each fresh mutation once, and prefetch the entities the batch touches."""
    last_seq = (await store.get_device_state(batch.device_id)).last_seq
    check_sequence([mutation.client_seq for mutation in batch.mutations], last_seq)
    plan = PushPlan(batch, last_seq, _steps(batch, last_seq, server_now_ms))
    await store.prefetch(plan.keys())
    return plan


async def apply_plan(store: Store, plan: PushPlan, ctx: PushContext) -> PushResponse:
    """Apply a planned push, mutation by mutation, each in its own transaction."""
    batch, last_seq = plan.batch, plan.last_seq
    device_hlc = hlc.clamp(batch.client_hlc, ctx.server_now_ms, ctx.max_ahead_ms)
    clock = _Clock(hlc.receive(ctx.server_hlc, device_hlc.stamp, ctx.server_now_ms))
    results: list[PushResult] = []
    for step in plan.steps:
        if not step.fresh:
            results.append(await _replay(store, batch.device_id, step.mutation))
            continue
        results.append(await _accept(store, ctx, batch, step, clock))
        last_seq = step.mutation.client_seq
    return PushResponse(
        results=results,
        last_seq=last_seq,
        server_hlc=clock.stamp,
        server_time_ms=ctx.server_now_ms,
        clock_offset_ms=hlc.clock_offset_ms(batch.device_wall_ms, ctx.server_now_ms),
        clamped=clock.clamped or device_hlc.was_clamped,
    )


async def apply_push(store: Store, batch: PushBatch, ctx: PushContext) -> PushResponse:
    """Plan and apply a decoded push; raises SequenceGapError (nothing applied) for a hole."""
    return await apply_plan(store, await plan_push(store, batch, ctx.server_now_ms), ctx)
