"""`posbon panel send --test-sequence` (a real subprocess) walks a site's zones against the real
receiver while the site is on test: every event is ACKed and the test report lists each zone."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import pytest

from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import Gateway, gateway_on

pytestmark = pytest.mark.integration


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def test_the_walk_test_is_acked_and_listed_zone_by_zone(gw: Gateway) -> None:
    device = await gw.add_device("6301")
    async with gw.client(gw.dispatcher) as desk:
        test = await desk.post(f"/api/v1/sites/{device['site_id']}/tests", json={"minutes": 30})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "server", "panel", "send", "--port", str(gw.port), "--account", "6301"),
        *("--test-sequence", "zones=1-4 code=130", "--seq", "20"),
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    lines = output.decode().splitlines()
    assert await process.wait() == 0, lines
    assert lines[0] == "zone 001 130: ACK 0020"
    assert lines[-1] == "4 of 4 events ACKed"
    report = await gw.get(f"/api/v1/tests/{test.json()['id']}/report")
    assert [zone["zone"] for zone in report["zones"]] == ["001", "002", "003", "004"]
    assert await gw.alerts() == []
