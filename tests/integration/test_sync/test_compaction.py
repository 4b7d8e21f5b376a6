"""Change-log compaction: old changes go, a tablet behind the horizon resets and converges."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid

import pytest

from server.db import Database
from server.settings import Settings
from server.sync import compaction
from server.sync.compaction import compact
from sync.client import SyncClient
from sync.entities import EntityKind, IncidentReportFields
from sync.lattices import IncidentStatus
from sync.messages import SCHEMA_VERSION, PullRequest, PullResponse
from sync.wire import decode_pull_response, encode
from tests.integration.live import Live
from tests.integration.test_server.cli.test_cli import posbon
from tests.integration.test_sync.support import (
    Crew,
    Tablets,
    api,
    dispatched_crew,
    new_report,
    record_status,
)

pytestmark = pytest.mark.integration

HOUR_S = 3600.0
DELETE_BATCH_IN_TEST = 2


async def _raw_pull(
    live: Live, crew: Crew, device: SyncClient, cursors: dict[str, int]
) -> PullResponse:
    request = PullRequest(
        schema_version=SCHEMA_VERSION, device_id=device.device_id, cursors=cursors
    )
    async with api(live, crew.crew_token) as http:
        response = await http.post("/sync/v1/pull", content=encode(request))
    assert response.status_code == 200, response.text
    return decode_pull_response(response.content)


async def _change_rows(live: Live, scope: str) -> list[int]:
    rows = await live.state.db.fetch(
        "SELECT seq FROM sync_changes WHERE scope = {} ORDER BY seq", scope
    )
    return [int(row["seq"]) for row in rows]


def _narrative(device: SyncClient, report_id: uuid.UUID) -> object:
    state = device.get(EntityKind.INCIDENT_REPORT, report_id)
    assert state is not None
    return state.fields["narrative"].value


def _edit(device: SyncClient, report_id: uuid.UUID, narrative: str) -> None:
    device.edit_report(report_id, IncidentReportFields(narrative=narrative))


async def test_a_tablet_behind_the_horizon_resets_keeps_its_edits_and_converges(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    ahead = tablets.open(crew.crew_token, "ahead")
    behind = tablets.open(crew.crew_token, "behind")
    report_id = new_report(ahead, crew, "first draft").entity_id
    await ahead.sync()
    await behind.sync()
    old_cursors = behind.store.cursors()
    record_status(behind, crew, IncidentStatus.ON_SCENE, dt.datetime.now(dt.UTC))  # offline
    for draft in range(3):
        _edit(ahead, report_id, f"draft {draft}")
        await ahead.sync()
    scope = f"crew:{crew.crew_id}"
    assert len(await _change_rows(live, scope)) >= 4

    summary = await compact(live.state.db, retention_s=0)

    assert summary.removed > 0
    assert summary.changes_after < summary.changes_before
    assert await _change_rows(live, scope) == []
    stale = await _raw_pull(live, crew, behind, old_cursors)
    assert scope in stale.reset
    await behind.sync()
    await ahead.sync()
    assert behind.rejected() == []
    assert _narrative(behind, report_id) == "draft 2"
    assert behind.visible() == ahead.visible()
    statuses = [
        state
        for (kind, _), state in ahead.visible().items()
        if kind is EntityKind.CREW_STATUS and state.fields["status"].value == "on_scene"
    ]
    assert len(statuses) == 1


async def test_changes_newer_than_the_window_stay_and_a_tablet_at_the_horizon_pulls_them(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    writer = tablets.open(crew.crew_token, "writer")
    reader = tablets.open(crew.crew_token, "reader")
    report_id = new_report(writer, crew, "before the first run").entity_id
    await writer.sync()
    await reader.sync()
    scope = f"crew:{crew.crew_id}"
    first_run = dt.datetime.now(dt.UTC)
    untouched = await compact(live.state.db, retention_s=HOUR_S, now=first_run)
    assert untouched.cuts == []
    assert untouched.removed == 0
    seen_by_reader = reader.store.cursors()[scope]
    _edit(writer, report_id, "after the first run")
    await writer.sync()
    kept = [seq for seq in await _change_rows(live, scope) if seq > seen_by_reader]
    assert kept

    later = await compact(live.state.db, retention_s=HOUR_S, now=first_run + dt.timedelta(hours=2))

    assert [cut.scope for cut in later.cuts if cut.scope == scope] == [scope]
    assert await _change_rows(live, scope) == kept
    incremental = await _raw_pull(live, crew, reader, reader.store.cursors())
    assert incremental.reset == []
    assert [change.seq for change in incremental.changes if change.scope == scope] == kept
    await reader.sync()
    assert _narrative(reader, report_id) == "after the first run"


async def test_a_second_run_without_new_changes_removes_nothing(
    live: Live, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live)
    writer = tablets.open(crew.crew_token, "writer")
    new_report(writer, crew, "one report")
    await writer.sync()
    first = await compact(live.state.db, retention_s=0)
    assert first.removed > 0

    second = await compact(live.state.db, retention_s=0)

    assert second.removed == 0
    assert second.cuts == []
    assert second.scopes_marked == 0


async def test_a_long_log_is_deleted_in_small_bulk_transactions(
    live: Live, tablets: Tablets, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew = await dispatched_crew(live)
    writer = tablets.open(crew.crew_token, "writer")
    report_id = new_report(writer, crew, "edit 0").entity_id
    for edit in range(1, 6):
        _edit(writer, report_id, f"edit {edit}")
        await writer.sync()
    db = live.state.db
    scopes = [str(row["scope"]) for row in await db.fetch("SELECT scope FROM sync_scopes")]
    logged = {scope: len(await _change_rows(live, scope)) for scope in scopes}
    assert max(logged.values()) > 2 * DELETE_BATCH_IN_TEST
    writes = db.write
    bulk_writes: list[bool] = []
    compacting = asyncio.current_task()  # the server's own parts write too: count only ours

    def counted_write(*, bulk: bool = False) -> contextlib.AbstractAsyncContextManager[None]:
        if asyncio.current_task() is compacting:
            bulk_writes.append(bulk)
        return writes(bulk=bulk)

    monkeypatch.setattr(compaction, "DELETE_BATCH", DELETE_BATCH_IN_TEST)
    monkeypatch.setattr(db, "write", counted_write)
    summary = await compact(db, retention_s=0)

    assert summary.removed == sum(logged.values())
    assert {cut.scope: cut.removed for cut in summary.cuts} == logged
    assert [await _change_rows(live, scope) for scope in scopes] == [[] for _ in scopes]
    deletes = sum(-(-count // DELETE_BATCH_IN_TEST) for count in logged.values())
    assert bulk_writes.count(True) >= deletes
    assert False not in bulk_writes  # nothing waits ahead of an alarm


async def test_the_compact_command_prints_a_summary(settings: Settings, db: Database) -> None:
    done = posbon(settings, "sync", "compact", "--sync-log-retention-s", "0")

    assert done.returncode == 0, done.stderr
    assert "sync compact: removed 0 of 0 changes" in done.stdout
