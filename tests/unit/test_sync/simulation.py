"""A seeded world of tablets syncing with the engine over a faulty transport (§6.2, layer 1).

Tablets make mutations with skewed clocks, push and pull through a transport that drops
requests, drops responses after the server acted, delivers twice, re-delivers stale requests
and fails with 503; tablets are partitioned and the server restarts. After healing, every
tablet drains its queue and pulls to the end, and :func:`check_invariants` must hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import msgspec

from sync import hlc
from sync.entities import EntityKind, IncidentReportFields, ReportNoteFields
from sync.errors import LocalError, RemoteError, SequenceGapError
from sync.lattices import IncidentStatus, ReportStatus
from sync.memory_store import MemoryStore
from sync.merge import EntityState, merge_stamps
from sync.messages import (
    SCHEMA_VERSION,
    Applied,
    PullLimits,
    PullRequest,
    PushLimits,
    PushRequest,
    Rejected,
    SnapshotRequest,
)
from sync.mutations import (
    AnyMutation,
    EntityVoidV1,
    IncidentReportUpsertV1,
    ReportNoteAddV1,
)
from sync.pull import PullContext, serve_pull, serve_snapshot
from sync.rules import PushContext, apply_push
from sync.uuid7 import uuid7
from sync.wire import decode_pull_response, decode_push, decode_push_response, encode
from tests.unit.test_sync.factories import BASE_MS, crew_status, recording_create

SCOPES = frozenset({"reports", "incidents", "recordings"})
SCOPE_OF_KIND = {
    EntityKind.INCIDENT: "incidents",
    EntityKind.CREW_STATUS: "incidents",
    EntityKind.RECORDING: "recordings",
}
REPORTS = [uuid.UUID(int=0x1000 + n) for n in range(3)]
SKEW_MS = 3 * 3600 * 1000
# The server's compaction job runs every this many steps and drops what the previous run had
# already seen: a tablet that has not pulled for one to two runs is behind the horizon and resets.
COMPACT_EVERY_STEPS = 25
Key = tuple[EntityKind, uuid.UUID]


def scopes_of(state: EntityState) -> Sequence[str]:
    return [SCOPE_OF_KIND.get(state.kind, "reports")]


class Server:
    """The engine behind a byte interface, with the server's HLC kept in memory."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.hlc = 0

    async def push(self, body: bytes, now_ms: int) -> bytes:
        ctx = PushContext(server_now_ms=now_ms, server_hlc=self.hlc, scopes_of=scopes_of)
        response = await apply_push(self.store, decode_push(body, PushLimits()), ctx)
        self.hlc = response.server_hlc
        return encode(response)

    async def pull(self, request: PullRequest, now_ms: int) -> bytes:
        ctx = PullContext(allowed_scopes=SCOPES, server_now_ms=now_ms, server_hlc=self.hlc)
        return encode(await serve_pull(self.store, request, ctx))


class Tablet:
    """A client that keeps a queue, the server's confirmed rows and its cursors."""

    def __init__(self, device_id: uuid.UUID, rng: random.Random) -> None:
        self.device_id = device_id
        self.rng = rng
        self.skew_ms = rng.randint(-SKEW_MS, SKEW_MS)
        self.clock = 0
        self.next_seq = 1
        self.queue: list[AnyMutation] = []
        self.created: list[AnyMutation] = []
        self.confirmed: dict[Key, EntityState] = {}
        self.cursors: dict[str, int] = {}
        self.rejected: set[uuid.UUID] = set()
        self.partitioned = False

    def _stamp(self, now_ms: int) -> tuple[uuid.UUID, int, int]:
        wall_ms = max(now_ms + self.skew_ms, 0)
        self.clock = hlc.tick(self.clock, wall_ms)
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        return uuid7(wall_ms, self.rng.randbytes(10)), seq, self.clock

    def make(self, now_ms: int) -> None:
        mutation_id, seq, stamp = self._stamp(now_ms)
        mutation = self._choose(mutation_id, seq, stamp, now_ms)
        self.queue.append(mutation)
        self.created.append(mutation)

    def _choose(self, mutation_id: uuid.UUID, seq: int, stamp: int, now_ms: int) -> AnyMutation:
        report = self.rng.choice(REPORTS)
        new_id = uuid7(now_ms, self.rng.randbytes(10))
        roll = self.rng.random()
        if roll < 0.5:
            mutation = self._upsert(report)
        elif roll < 0.65:
            status = self.rng.choice(list(IncidentStatus))
            mutation = _replace(crew_status(seq, status), entity_id=new_id)
        elif roll < 0.75:
            mutation = EntityVoidV1(
                mutation_id=mutation_id,
                client_seq=seq,
                hlc=stamp,
                entity_id=report,
                entity=EntityKind.INCIDENT_REPORT,
            )
        elif roll < 0.88:
            recording = uuid.UUID(int=0xC000 + self.rng.randrange(4))
            sha = self.rng.choice(["ab", "cd"]) * 32  # a different sha for one id: rejected
            mutation = recording_create(seq, recording, sha)
        else:
            mutation = self._note(report, new_id, now_ms)
        return _replace(mutation, mutation_id=mutation_id, client_seq=seq, hlc=stamp)

    def _note(self, report: uuid.UUID, note_id: uuid.UUID, now_ms: int) -> AnyMutation:
        note = ReportNoteFields(
            report_id=report, author_id=self.device_id, body="note", written_at=_at(now_ms)
        )
        return ReportNoteAddV1(
            mutation_id=note_id, client_seq=1, hlc=0, entity_id=note_id, fields=note
        )

    def _upsert(self, report: uuid.UUID) -> AnyMutation:
        seen = self.confirmed.get((EntityKind.INCIDENT_REPORT, report))
        base = {name: s.hlc for name, s in seen.fields.items()} if seen is not None else {}
        fields = IncidentReportFields(
            narrative=self.rng.choice(["fight", "fire", "theft", "noise"]),
            status=self.rng.choice(list(ReportStatus)),
            linked_alert_ids=[uuid.UUID(int=0xA000 + self.rng.randrange(5))],
        )
        return IncidentReportUpsertV1(
            mutation_id=report, client_seq=1, hlc=0, entity_id=report, fields=fields, base=base
        )

    def push_body(self, now_ms: int) -> bytes | None:
        if not self.queue:
            return None
        request = PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=self.device_id,
            device_wall_ms=now_ms + self.skew_ms,
            client_hlc=self.clock,
            mutations=self.queue[:20],
        )
        return encode(request)

    def on_push(self, body: bytes, now_ms: int) -> None:
        response = decode_push_response(body)
        for result in response.results:
            if isinstance(result, Rejected):
                self.rejected.add(result.mutation_id)
            elif not isinstance(result, Applied) and isinstance(result.original, Rejected):
                self.rejected.add(result.original.mutation_id)
        self.queue = [m for m in self.queue if m.client_seq > response.last_seq]
        self.clock = hlc.receive(self.clock, response.server_hlc, now_ms + self.skew_ms)

    def pull_request(self) -> PullRequest:
        return PullRequest(
            schema_version=SCHEMA_VERSION, device_id=self.device_id, cursors=self.cursors, limit=7
        )

    def absorb(self, state: EntityState) -> None:
        key = (state.kind, state.entity_id)
        current = self.confirmed.get(key)
        self.confirmed[key] = merge_stamps(current, state.kind, state.entity_id, state.fields).state


def _at(now_ms: int) -> datetime:
    return datetime.fromtimestamp(now_ms / 1000, tz=UTC)


def _replace(mutation: AnyMutation, **changes: object) -> AnyMutation:
    return msgspec.structs.replace(mutation, **changes)


class World:
    """Tablets, a server and a faulty transport, driven by one seed."""

    def __init__(self, seed: int, store: MemoryStore, tablets: int = 3) -> None:
        self.rng = random.Random(seed)
        self.store = store
        self.server = Server(store)
        self.tablets = [Tablet(uuid.UUID(int=n + 1), self.rng) for n in range(tablets)]
        self.now_ms = BASE_MS
        self.stale: list[bytes] = []
        self.faults = True
        self.steps = 0
        self.marks: dict[str, int] = {}
        self.resets = 0

    async def push(self, tablet: Tablet) -> None:
        body = tablet.push_body(self.now_ms)
        if body is None or tablet.partitioned:
            return
        self.stale = [*self.stale[-5:], body]
        fault = self.rng.random() if self.faults else 1.0
        if fault < 0.1:  # the request is lost
            return
        if fault < 0.15:  # 503: the server failed before doing anything
            return
        try:
            reply = await self.server.push(body, self.now_ms)
            if fault < 0.25:  # delivered twice, the client sees the second answer
                reply = await self.server.push(body, self.now_ms)
        except SequenceGapError:
            return
        if fault < 0.35:  # the server acted but the response is lost
            return
        tablet.on_push(reply, self.now_ms)

    async def redeliver_stale(self) -> None:
        if self.stale:
            with contextlib.suppress(RemoteError, LocalError):
                await self.server.push(self.rng.choice(self.stale), self.now_ms)

    async def pull(self, tablet: Tablet) -> bool:
        """One page; returns whether more is waiting."""
        if tablet.partitioned:
            return False
        reply = decode_pull_response(await self.server.pull(tablet.pull_request(), self.now_ms))
        if self.faults and self.rng.random() < 0.15:
            return True  # the page is lost on the way back: nothing applied, cursors unchanged
        for change in reply.changes:
            tablet.absorb(EntityState(change.kind, change.entity_id, change.fields))
        tablet.cursors.update(reply.cursors)
        for scope in reply.reset:
            self.resets += 1
            await self.snapshot(tablet, scope)
        tablet.clock = hlc.receive(tablet.clock, reply.server_hlc, self.now_ms + tablet.skew_ms)
        return reply.has_more or bool(reply.reset)

    async def snapshot(self, tablet: Tablet, scope: str) -> None:
        after: uuid.UUID | None = None
        while True:
            request = SnapshotRequest(
                schema_version=SCHEMA_VERSION,
                device_id=tablet.device_id,
                scope=scope,
                after_id=after,
                limit=5,
            )
            page = await serve_snapshot(self.store, request, SCOPES, PullLimits())
            if after is None:
                tablet.cursors[scope] = page.cursor
            for row in page.rows:
                tablet.absorb(row)
            if page.next_after_id is None:
                return
            after = page.next_after_id

    async def step(self) -> None:
        self.now_ms += self.rng.randint(1, 5_000)
        tablet = self.rng.choice(self.tablets)
        roll = self.rng.random()
        actions: list[tuple[float, Callable[[], object]]] = [
            (0.40, lambda: tablet.make(self.now_ms)),
            (0.65, lambda: self.push(tablet)),
            (0.85, lambda: self.pull(tablet)),
            (0.90, lambda: setattr(tablet, "partitioned", not tablet.partitioned)),
            (0.93, lambda: setattr(self, "server", Server(self.store))),
            (0.96, lambda: setattr(tablet, "skew_ms", self.rng.randint(-SKEW_MS, SKEW_MS))),
            (1.00, self.redeliver_stale),
        ]
        action = next(act for limit, act in actions if roll < limit)
        outcome = action()
        if asyncio.iscoroutine(outcome):
            await outcome
        self.steps += 1
        if self.steps % COMPACT_EVERY_STEPS == 0:
            await self.compact()

    async def compact(self) -> None:
        """The compaction job: drop the changes the previous run had marked, mark the heads."""
        for scope, head in self.marks.items():
            self.store.compact(scope, head)
        self.marks = {scope: (await self.store.scope_bounds(scope)).head for scope in SCOPES}

    async def quiesce(self) -> None:
        self.faults = False
        for tablet in self.tablets:
            tablet.partitioned = False
        for _ in range(3):
            for tablet in self.tablets:
                for _ in range(200):
                    if not tablet.queue:
                        break
                    await self.push(tablet)
                while await self.pull(tablet):
                    pass


async def run_world(seed: int, steps: int, store: MemoryStore | None = None) -> World:
    world = World(seed, store if store is not None else MemoryStore())
    for _ in range(steps):
        await world.step()
    await world.quiesce()
    return world
