"""The sync client that crew tablets, body-cam upload stations and the tests use.

Theory of operation. Every local edit is a mutation written to the device's SQLite queue in
one transaction with its ``client_seq`` and HLC stamp (:mod:`sync.local_store`), so it survives
a crash the moment ``enqueue`` returns. ``sync()`` pushes the queue in order and then pulls
every scope to the end:

* push: a batch of pending mutations; results move them to ``acked`` or to the rejected inbox.
  ``413`` halves the batch (a single mutation too large for any batch is rejected locally, in
  the inbox, never dropped); ``409 gap`` means the server never got some seqs the device gave
  up (a discarded edit): the pending ones are renumbered from the server's ``expected``.
* pull: pages by per-scope cursors, each page applied with its cursors in one transaction;
  ``reset`` scopes are fetched again by a resumable snapshot, ``evict`` scopes are forgotten
  (rows with queued edits stay).
* what the device shows is the confirmed state with the queue laid over it
  (:mod:`sync.overlay`): pending edits are rebased over everything pulled.

Transient failures (no network, a 5xx, a snapshot cut short) raise
:class:`~sync.errors.UnreachableError`; :meth:`SyncClient.run` retries them with exponential
backoff and jitter, and a local edit can :meth:`~SyncClient.wake` it at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from sync.backoff import Backoff
from sync.entities import EntityKind, IncidentReportFields
from sync.errors import (
    LocalError,
    RequestRefusedError,
    RequestTooLargeError,
    ScopeForbiddenError,
    SequenceGapError,
    UnreachableError,
    UpgradeRequiredError,
)
from sync.local_store import LocalStore, RejectedMutation, SnapshotTask
from sync.merge import EntityState
from sync.messages import (
    SCHEMA_VERSION,
    PullLimits,
    PullRequest,
    PushLimits,
    PushRequest,
    SnapshotRequest,
)
from sync.mutations import AnyMutation, IncidentReportUpsertV1, Mutation
from sync.overlay import Key, local_writes, overlay, view
from sync.transport import Transport
from sync.uuid7 import uuid7
from sync.wire import decode_pull_response, decode_push_response, decode_snapshot_page, encode

logger = logging.getLogger(__name__)

DEFAULT_BATCH: Final = PushLimits().max_mutations
DEFAULT_PAGE: Final = PullLimits().max_changes
DEFAULT_INTERVAL_S: Final = 10.0
MAX_PAGES_PER_PULL: Final = 100_000  # a bound on one pull, far above any real backlog
M = TypeVar("M", bound=Mutation)


def wall_ms() -> int:
    """The device's wall clock in Unix ms (tests pass a skewed one)."""
    return time.time_ns() // 1_000_000


class SyncClient:
    """One device's offline queue, local store and sync loop."""

    def __init__(
        self,
        store: LocalStore,
        transport: Transport,
        *,
        clock_ms: Callable[[], int] = wall_ms,
        batch_size: int = DEFAULT_BATCH,
        page_limit: int = DEFAULT_PAGE,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock_ms = clock_ms
        self.batch_size = batch_size
        self.page_limit = page_limit
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()

    @classmethod
    def open(
        cls,
        path: Path | str,
        transport: Transport,
        *,
        device_id: uuid.UUID | None = None,
        **options: Any,
    ) -> SyncClient:
        """Open the device's store at ``path`` (created on first use)."""
        return cls(LocalStore.open(path, device_id), transport, **options)

    def close(self) -> None:
        self.store.close()

    @property
    def device_id(self) -> uuid.UUID:
        return self.store.device_id

    # Local edits.

    def new_id(self) -> uuid.UUID:
        """A fresh UUIDv7 for a row made on this device."""
        return uuid7(max(self.clock_ms(), 0), self._rng.randbytes(10))

    def enqueue(self, kind: type[M], /, **body: Any) -> M:
        """Queue one mutation; ``body`` is everything but the ids and stamp, which we assign."""
        return self.enqueue_many(kind, [body])[0]

    def enqueue_many(self, kind: type[M], bodies: Sequence[dict[str, Any]]) -> list[M]:
        """Queue several mutations of one kind in a single transaction."""
        ids = [self.new_id() for _ in bodies]

        def build(index: int, client_seq: int, stamp: int) -> M:
            return kind(mutation_id=ids[index], client_seq=client_seq, hlc=stamp, **bodies[index])

        made = self.store.enqueue(build, len(bodies), max(self.clock_ms(), 0))
        self._wake.set()
        return made

    def edit_report(
        self, report_id: uuid.UUID, fields: IncidentReportFields
    ) -> IncidentReportUpsertV1:
        """Set report fields, telling the server which versions this device had seen."""
        seen = self.get(EntityKind.INCIDENT_REPORT, report_id)
        base = {} if seen is None else {name: stamp.hlc for name, stamp in seen.fields.items()}
        return self.enqueue(IncidentReportUpsertV1, entity_id=report_id, fields=fields, base=base)

    # What the device shows.

    def get(self, kind: EntityKind, entity_id: uuid.UUID) -> EntityState | None:
        """One entity as shown: confirmed, with the queued edits laid over it."""
        state = self.store.confirmed(kind, entity_id)
        for mutation in self.store.queued():
            for write in local_writes(mutation, self.device_id):
                if (write.kind, write.entity_id) == (kind, entity_id):
                    state = overlay(state, write) or state
        return state

    def visible(self) -> dict[Key, EntityState]:
        """Every entity as shown."""
        return view(self.store.all_confirmed(), self.store.queued(), self.device_id)

    def rejected(self) -> list[RejectedMutation]:
        """The rejected inbox: mutations the server refused for good, with the reason."""
        return self.store.rejected()

    def discard_rejected(self, mutation_id: uuid.UUID) -> None:
        self.store.discard_rejected(mutation_id)

    # Syncing.

    def _push_body(self, batch: list[AnyMutation]) -> bytes:
        request = PushRequest(
            schema_version=SCHEMA_VERSION,
            device_id=self.device_id,
            device_wall_ms=self.clock_ms(),
            client_hlc=self.store.clock,
            mutations=batch,
        )
        return encode(request)

    def _shrink(self, batch: list[AnyMutation], err: RequestTooLargeError) -> int:
        """The next batch size after a 413; a lone mutation too large is rejected locally."""
        if len(batch) == 1:
            self.store.reject_locally(batch[0], err.code, str(err))
            return self.batch_size
        return max(1, min(err.max_mutations or len(batch), len(batch) // 2))

    async def push(self) -> None:
        """Send the queue, in order, until nothing is pending."""
        batch_size = self.batch_size
        while batch := self.store.pending(batch_size):
            try:
                reply = await self.transport.push(self._push_body(batch))
            except RequestTooLargeError as err:
                batch_size = self._shrink(batch, err)
                continue
            except SequenceGapError as err:
                if not self.store.renumber_from(err.expected):
                    raise
                logger.info("sync gap: pending mutations renumbered from %s", err.expected)
                continue
            response = decode_push_response(reply)
            if response.last_seq < batch[0].client_seq:
                raise UnreachableError("the server answered a push without taking it")
            self.store.record_push(response, self.clock_ms())

    async def _snapshot(self, task: SnapshotTask) -> None:
        request = SnapshotRequest(
            schema_version=SCHEMA_VERSION,
            device_id=self.device_id,
            scope=task.scope,
            after_id=task.after_id,
            limit=self.page_limit,
        )
        done = False
        try:
            async for line in self.transport.snapshot(request):
                done = self.store.apply_snapshot_page(decode_snapshot_page(line))
        except ScopeForbiddenError:
            self.store.drop_snapshot(task.scope)
            return
        if not done:
            raise UnreachableError(f"the snapshot of {task.scope} was cut short; it will resume")

    async def pull(self) -> None:
        """Pull every scope to the end, fetching reset scopes by snapshot."""
        for _ in range(MAX_PAGES_PER_PULL):
            for task in self.store.snapshot_tasks():
                await self._snapshot(task)
            request = PullRequest(
                schema_version=SCHEMA_VERSION,
                device_id=self.device_id,
                cursors=self.store.cursors(),
                limit=self.page_limit,
            )
            page = decode_pull_response(await self.transport.pull(encode(request)))
            self.store.apply_page(page, self.clock_ms())
            if not page.has_more and not page.reset:
                return
        raise UnreachableError("the pull did not reach the end; it will go on next time")

    async def sync(self) -> None:
        """Push everything queued, then pull everything new."""
        self._wake.clear()
        await self.push()
        await self.pull()

    def wake(self) -> None:
        """Make :meth:`run` sync now (a local edit calls this)."""
        self._wake.set()

    async def _sleep(self, stop: asyncio.Event, delay_s: float) -> None:
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=delay_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def run(
        self,
        stop: asyncio.Event,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        backoff: Backoff | None = None,
    ) -> None:
        """Sync until ``stop`` is set: every ``interval_s`` or on ``wake()``; back off on errors."""
        backoff = backoff or Backoff()
        while not stop.is_set():
            delay_s = interval_s
            try:
                await self.sync()
                backoff.reset()
            except (UnreachableError, LocalError) as err:
                delay_s = backoff.next_delay_s(self._rng)
                logger.info("sync failed (%s); retrying in %.1f s", err.code, delay_s)
            except (UpgradeRequiredError, RequestRefusedError) as err:
                # Nothing is lost: edits keep queueing until the app or the token is fixed.
                delay_s = backoff.max_s
                logger.warning("sync refused (%s): %s", err.code, err)
            await self._sleep(stop, delay_s)
