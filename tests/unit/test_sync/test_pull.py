"""The pull and snapshot engines: pages by server cursors, reset and evict by scope."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sync.entities import EntityKind
from sync.errors import ScopeForbiddenError
from sync.memory_store import MemoryStore
from sync.merge import EntityState
from sync.messages import SCHEMA_VERSION, Change, PullLimits, PullRequest, SnapshotRequest
from sync.mutations import AnyMutation
from sync.pull import PullContext, serve_pull, serve_snapshot
from sync.rules import PushContext, apply_push
from sync.wire import batch_of
from tests.unit.test_sync.factories import BASE_MS, DEVICE_A, ident, push, upsert

SCOPES = frozenset({"all"})
DEFAULT_LIMITS = PullLimits()


def everything(state: EntityState) -> Sequence[str]:
    return ["all"]


async def filled(reports: int) -> MemoryStore:
    store = MemoryStore()
    mutations = [upsert(n, f"report {n}", entity=ident(0x100 + n)) for n in range(1, reports + 1)]
    ctx = PushContext(server_now_ms=BASE_MS, server_hlc=0, scopes_of=everything)
    await apply_push(store, batch_of(push(*mutations)), ctx)
    return store


def pull(cursors: dict[str, int], limit: int = 1000) -> PullRequest:
    return PullRequest(
        schema_version=SCHEMA_VERSION, device_id=DEVICE_A, cursors=cursors, limit=limit
    )


def ctx(allowed: frozenset[str] = SCOPES, limits: PullLimits = DEFAULT_LIMITS) -> PullContext:
    return PullContext(allowed_scopes=allowed, server_now_ms=BASE_MS, server_hlc=1, limits=limits)


async def test_pages_follow_the_cursor_until_nothing_is_left() -> None:
    store = await filled(5)
    first = await serve_pull(store, pull({"all": 0}, limit=2), ctx())
    assert [c.seq for c in first.changes] == [1, 2]
    assert (first.cursors, first.has_more, first.acked_seq) == ({"all": 2}, True, 5)
    second = await serve_pull(store, pull(first.cursors, limit=3), ctx())
    assert [c.seq for c in second.changes] == [3, 4, 5]
    assert not second.has_more
    last = await serve_pull(store, pull(second.cursors), ctx())
    assert (last.changes, last.cursors, last.has_more) == ([], {"all": 5}, False)


async def test_a_page_stops_at_the_byte_limit_but_always_carries_one_change() -> None:
    store = await filled(3)
    page = await serve_pull(store, pull({"all": 0}), ctx(limits=PullLimits(max_bytes=10)))
    assert [c.seq for c in page.changes] == [1]
    assert page.has_more


async def test_a_newly_allowed_scope_is_reset_and_a_revoked_one_evicted() -> None:
    store = await filled(1)
    page = await serve_pull(store, pull({"all": 1, "crew:3": 4}), ctx(frozenset({"all", "crew:7"})))
    assert page.reset == ["crew:7"]
    assert page.evict == ["crew:3"]
    assert "crew:3" not in page.cursors


async def test_a_cursor_older_than_the_compaction_horizon_is_reset() -> None:
    store = await filled(4)
    store.compact("all", keep_after_seq=3)
    stale = await serve_pull(store, pull({"all": 1}), ctx())
    assert stale.reset == ["all"]
    fresh = await serve_pull(store, pull({"all": 3}), ctx())
    assert [c.seq for c in fresh.changes] == [4]


async def test_a_snapshot_pages_by_id_and_tells_where_to_pull_from() -> None:
    store = await filled(3)
    request = SnapshotRequest(
        schema_version=SCHEMA_VERSION, device_id=DEVICE_A, scope="all", limit=2
    )
    first = await serve_snapshot(store, request, SCOPES, PullLimits())
    assert [row.entity_id for row in first.rows] == [ident(0x101), ident(0x102)]
    assert (first.cursor, first.next_after_id) == (3, ident(0x102))
    rest = SnapshotRequest(
        schema_version=SCHEMA_VERSION, device_id=DEVICE_A, scope="all", after_id=first.next_after_id
    )
    second = await serve_snapshot(store, rest, SCOPES, PullLimits())
    assert [row.entity_id for row in second.rows] == [ident(0x103)]
    assert second.next_after_id is None
    assert second.rows[0].kind is EntityKind.INCIDENT_REPORT


async def test_a_snapshot_of_a_scope_not_allowed_is_refused() -> None:
    store = await filled(1)
    request = SnapshotRequest(schema_version=SCHEMA_VERSION, device_id=DEVICE_A, scope="crew:9")
    with pytest.raises(ScopeForbiddenError):
        await serve_snapshot(store, request, SCOPES, PullLimits())


class CommitsDuringRead(MemoryStore):
    """A push from the pulling device commits while its page is being read."""

    def __init__(self) -> None:
        super().__init__()
        self.late: list[AnyMutation] = []

    async def read_changes(self, scope: str, after_seq: int, limit: int) -> list[Change]:
        changes = await super().read_changes(scope, after_seq, limit)
        if self.late:
            late, self.late = self.late, []
            context = PushContext(server_now_ms=BASE_MS, server_hlc=0, scopes_of=everything)
            await apply_push(self, batch_of(push(*late)), context)
        return changes


async def test_acked_seq_never_covers_a_mutation_whose_change_the_page_missed() -> None:
    store = CommitsDuringRead()
    await apply_push(
        store,
        batch_of(push(upsert(1))),
        PushContext(server_now_ms=BASE_MS, server_hlc=0, scopes_of=everything),
    )
    store.late = [upsert(2, "committed while the page was read")]
    page = await serve_pull(store, pull({"all": 0}), ctx())
    assert [c.seq for c in page.changes] == [1]
    assert page.acked_seq == 1  # seq 2's change is not in this page, so it is not acked yet
