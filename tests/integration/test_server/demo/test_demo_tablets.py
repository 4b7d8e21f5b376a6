"""The demo crews work through their tablets: the real sync client over HTTP, offline at times."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pytest

from server.demo import seed
from server.demo.simulator import NARRATIVES, Pace, Simulator
from server.demo.tablets import Coverage, Tablets
from tests.integration.live import Live

pytestmark = pytest.mark.integration

MAX_STEPS = 300  # an incident takes about 20 steps from button to report; this bounds a bug
NO_WAIT = Pace(dispatch_after_s=0.0, on_scene_for_s=0.0)
PATCHY = Coverage(offline_chance=0.5, offline_ticks=(1, 3))


async def _synced_reports(live: Live) -> list[dict[str, object]]:
    rows = await live.state.db.fetch(
        "SELECT fields FROM sync_entities WHERE kind = 'incident_report'"
    )
    return [msgspec.json.decode(row["fields"]) for row in rows]


async def _run_until_a_report_arrives(simulator: Simulator, tablets: Tablets, live: Live) -> None:
    await simulator.press_a_button()
    for _ in range(MAX_STEPS):
        await simulator.dispatch_waiting()
        await simulator.move_crews()
        await tablets.tick()
        if await _synced_reports(live):
            return


async def test_demo_crews_acknowledge_move_and_report_through_their_tablets(
    live: Live, tmp_path: Path
) -> None:
    await seed.seed(live.state.db)
    rng = random.Random(4)
    tablets = Tablets(live.state.db, tmp_path / "tablets", live.http, rng, PATCHY)
    simulator = Simulator(live.state, rng, tablets, NO_WAIT)
    try:
        await _run_until_a_report_arrives(simulator, tablets, live)
        for tablet in tablets.all():
            tablet.offline_ticks = 0
            assert await tablets.sync(tablet)
        queued = [tablet.client.store.pending(1) for tablet in tablets.all()]
        rejected = [tablet.client.rejected() for tablet in tablets.all()]
    finally:
        await tablets.close()

    assert tablets.outages > 0
    assert queued == [[] for _ in queued]
    assert rejected == [[] for _ in rejected]
    reports = await _synced_reports(live)
    assert len(reports) == 1
    narrative = reports[0]["narrative"]
    assert isinstance(narrative, dict)
    assert narrative["value"] in NARRATIVES
    rows = await live.state.db.fetch(
        "SELECT to_status, device_at FROM timeline WHERE actor LIKE 'crew%' "
        "AND to_status IN ('acknowledged', 'en_route', 'on_scene') ORDER BY id"
    )
    assert [row["to_status"] for row in rows] == ["acknowledged", "en_route", "on_scene"]
    assert all(row["device_at"] is not None for row in rows)
    resolved = await live.state.db.fetch("SELECT id FROM incidents WHERE status = 'resolved'")
    assert len(resolved) == 1
