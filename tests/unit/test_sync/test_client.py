"""The client library against the engine in memory: the queue, limits, gaps, rebase, backoff."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest

from sync.backoff import Backoff
from sync.client import SyncClient
from sync.entities import EntityKind, IncidentReportFields
from sync.errors import UnreachableError
from sync.memory_store import MemoryStore
from sync.merge import EntityState
from sync.messages import (
    Applied,
    PullLimits,
    PullResponse,
    PushLimits,
    Rejected,
    SnapshotRequest,
)
from sync.mutations import EntityVoidV1
from sync.pull import PullContext, serve_pull, serve_snapshot
from sync.rules import PushContext, apply_push
from sync.wire import decode_pull_request, decode_push, encode
from tests.unit.test_sync.factories import BASE_MS, REPORT, ident

SCOPE = "all"
DEFAULT_LIMITS = PushLimits()


def everything(state: EntityState) -> Sequence[str]:
    return [SCOPE]


class EngineTransport:
    """The push and pull engines behind the transport Protocol, with a switch to go offline."""

    def __init__(self, store: MemoryStore, limits: PushLimits = DEFAULT_LIMITS) -> None:
        self.store = store
        self.limits = limits
        self.down = 0  # how many of the next calls fail
        self.batches: list[int] = []
        self.hlc = 0

    def _reachable(self) -> None:
        if self.down:
            self.down -= 1
            raise UnreachableError("offline")

    async def push(self, body: bytes) -> bytes:
        self._reachable()
        batch = decode_push(body, self.limits)
        self.batches.append(len(batch.mutations))
        ctx = PushContext(server_now_ms=BASE_MS, server_hlc=self.hlc, scopes_of=everything)
        response = await apply_push(self.store, batch, ctx)
        self.hlc = response.server_hlc
        return encode(response)

    async def pull(self, body: bytes) -> bytes:
        self._reachable()
        ctx = PullContext(allowed_scopes=frozenset({SCOPE}), server_now_ms=BASE_MS, server_hlc=1)
        return encode(await serve_pull(self.store, decode_pull_request(body), ctx))

    async def snapshot(self, request: SnapshotRequest) -> AsyncIterator[bytes]:
        self._reachable()
        while True:
            page = await serve_snapshot(self.store, request, frozenset({SCOPE}), PullLimits())
            yield encode(page)
            if page.next_after_id is None:
                return
            request = msgspec.structs.replace(request, after_id=page.next_after_id)


_opened: list[SyncClient] = []


@pytest.fixture(autouse=True)
def _close_devices() -> Iterator[None]:
    # A connection left to the garbage collector is a ResourceWarning (an error here) since
    # Python 3.13, raised in whichever test happens to run then.
    yield
    while _opened:
        _opened.pop().close()


def device(path: Path, transport: EngineTransport, name: str, **options: Any) -> SyncClient:
    client = SyncClient.open(
        path / f"{name}.sqlite3", transport, clock_ms=lambda: BASE_MS, **options
    )
    _opened.append(client)
    return client


def narrative(client: SyncClient, entity: EntityKind = EntityKind.INCIDENT_REPORT) -> object:
    state = client.get(entity, REPORT)
    return None if state is None else state.fields["narrative"].value


async def test_an_edit_queued_before_a_crash_is_sent_after_the_restart(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore())
    first = device(tmp_path, server, "a")
    first.edit_report(REPORT, IncidentReportFields(narrative="written offline"))
    first.close()
    again = device(tmp_path, server, "a")
    assert again.store.pending_count() == 1
    await again.sync()
    assert again.store.pending_count() == 0
    assert narrative(again) == "written offline"
    assert isinstance(next(iter(server.store.results().values())), Applied)


async def test_a_batch_over_the_server_limit_is_halved_until_it_fits(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore(), PushLimits(max_mutations=3))
    client = device(tmp_path, server, "a", batch_size=10)
    for n in range(7):
        client.edit_report(ident(0x100 + n), IncidentReportFields(narrative=f"r{n}"))
    await client.push()
    assert client.store.pending_count() == 0
    assert max(server.batches) <= 3
    assert sum(server.batches) == 7


async def test_a_mutation_too_large_for_any_batch_goes_to_the_inbox_not_the_bin(
    tmp_path: Path,
) -> None:
    server = EngineTransport(MemoryStore(), PushLimits(max_bytes=1500))
    client = device(tmp_path, server, "a")
    huge = client.edit_report(ident(0x100), IncidentReportFields(narrative="x" * 2000))
    client.edit_report(ident(0x101), IncidentReportFields(narrative="small"))
    await client.push()
    assert [(r.mutation.mutation_id, r.code) for r in client.rejected()] == [
        (huge.mutation_id, "too_large")
    ]
    assert client.store.pending_count() == 0
    assert len(server.store.results()) == 1


async def test_a_discarded_edit_leaves_a_hole_that_a_gap_answer_closes(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore())
    client = device(tmp_path, server, "a")
    kept = [
        client.edit_report(ident(0x100 + n), IncidentReportFields(narrative="x")) for n in range(4)
    ]
    client.store._db.execute("DELETE FROM queue WHERE client_seq = 2")
    await client.push()
    assert client.store.pending_count() == 0
    results = server.store.results()
    assert sorted(seq for _, seq in results) == [1, 2, 3]
    assert {r.mutation_id for r in results.values()} == {kept[n].mutation_id for n in (0, 2, 3)}


async def test_a_pulled_value_never_hides_a_pending_local_edit(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore())
    first, second = device(tmp_path, server, "a"), device(tmp_path, server, "b")
    first.edit_report(REPORT, IncidentReportFields(narrative="first"))
    await first.sync()
    second.edit_report(REPORT, IncidentReportFields(narrative="second, not sent yet"))
    await second.pull()
    confirmed = second.store.confirmed(EntityKind.INCIDENT_REPORT, REPORT)
    assert confirmed is not None
    assert confirmed.fields["narrative"].value == "first"
    assert narrative(second) == "second, not sent yet"
    await second.sync()
    await first.sync()
    assert narrative(first) == narrative(second)


async def test_an_acked_edit_stays_on_screen_until_a_pull_brings_it_back(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore())
    client = device(tmp_path, server, "a")
    client.edit_report(REPORT, IncidentReportFields(narrative="mine"))
    await client.push()
    assert client.store.confirmed(EntityKind.INCIDENT_REPORT, REPORT) is None
    assert narrative(client) == "mine"
    assert len(client.store.queued()) == 1
    await client.pull()
    assert client.store.queued() == []
    assert narrative(client) == "mine"


async def test_an_evicted_scope_keeps_only_the_rows_with_queued_edits(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore())
    writer = device(tmp_path, server, "writer")
    for n in range(3):
        writer.edit_report(ident(0x100 + n), IncidentReportFields(narrative="x"))
    await writer.sync()
    reader = device(tmp_path, server, "reader")
    await reader.sync()
    reader.edit_report(ident(0x100), IncidentReportFields(narrative="still editing"))
    evict = PullResponse(changes=[], cursors={}, has_more=False, evict=[SCOPE])
    reader.store.apply_page(evict, BASE_MS)
    assert SCOPE not in reader.store.cursors()
    assert set(reader.store.all_confirmed()) == {(EntityKind.INCIDENT_REPORT, ident(0x100))}


async def test_a_server_refusal_lands_in_the_inbox_and_the_queue_moves_on(tmp_path: Path) -> None:
    server = EngineTransport(MemoryStore())
    client = device(tmp_path, server, "a")
    client.edit_report(REPORT, IncidentReportFields(incident_id=ident(1)))
    client.edit_report(REPORT, IncidentReportFields(incident_id=ident(2)))  # immutable
    await client.sync()
    (refused,) = client.rejected()
    assert refused.code == "immutable_field"
    assert client.store.pending_count() == 0
    assert any(isinstance(r, Rejected) for r in server.store.results().values())


async def test_run_backs_off_while_the_server_is_down_and_syncs_when_it_is_back(
    tmp_path: Path,
) -> None:
    server = EngineTransport(MemoryStore())
    server.down = 3
    client = device(tmp_path, server, "a")
    client.edit_report(REPORT, IncidentReportFields(narrative="waiting for signal"))
    stop = asyncio.Event()

    async def stop_when_sent() -> None:
        while client.store.queued() or server.down:
            await asyncio.sleep(0.005)
        stop.set()

    watcher = asyncio.create_task(stop_when_sent())
    await asyncio.wait_for(
        client.run(stop, interval_s=0.01, backoff=Backoff(base_s=0.001, max_s=0.01)), 5
    )
    await watcher
    assert server.down == 0
    assert narrative(client) == "waiting for signal"
    assert client.store.confirmed(EntityKind.INCIDENT_REPORT, REPORT) is not None


@pytest.mark.parametrize("cut_after_pages", [1, 2])
async def test_a_reset_scope_is_fetched_by_a_snapshot_that_resumes(
    tmp_path: Path, cut_after_pages: int
) -> None:
    server = EngineTransport(MemoryStore())
    writer = device(tmp_path, server, "writer")
    for n in range(5):
        writer.edit_report(ident(0x100 + n), IncidentReportFields(narrative=f"r{n}"))
    await writer.sync()
    reader = device(tmp_path, server, "reader", page_limit=2)
    original = server.snapshot
    calls: list[SnapshotRequest] = []

    async def cut(request: SnapshotRequest) -> AsyncIterator[bytes]:
        calls.append(request)
        sent = 0
        async for line in original(request):
            if len(calls) == 1 and sent == cut_after_pages:
                raise UnreachableError("cut")
            sent += 1
            yield line

    server.snapshot = cut  # type: ignore[method-assign]
    with pytest.raises(UnreachableError):
        await reader.pull()
    await reader.pull()
    assert reader.store.all_confirmed() == writer.store.all_confirmed()
    assert calls[1].after_id is not None


async def test_the_view_unions_linked_alerts_and_skips_edits_the_server_will_refuse(
    tmp_path: Path,
) -> None:
    server = EngineTransport(MemoryStore())
    client = device(tmp_path, server, "a")
    client.edit_report(REPORT, IncidentReportFields(linked_alert_ids=[ident(1)]))
    await client.sync()
    client.edit_report(REPORT, IncidentReportFields(linked_alert_ids=[ident(2)]))
    client.enqueue(EntityVoidV1, entity_id=ident(0x999), entity=EntityKind.INCIDENT_REPORT)
    shown = client.visible()
    report = shown[(EntityKind.INCIDENT_REPORT, REPORT)]
    assert report.fields["linked_alert_ids"].value == sorted([str(ident(1)), str(ident(2))])
    assert (EntityKind.INCIDENT_REPORT, ident(0x999)) not in shown  # voiding nothing shows nothing
    assert client.get(EntityKind.INCIDENT_REPORT, REPORT) == report
