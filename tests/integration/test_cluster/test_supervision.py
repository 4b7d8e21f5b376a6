"""Device supervision with two receivers on one PostgreSQL database: a panel that talks only to
the node that does not hold the supervision lease is not declared offline by the node that
does; once it falls silent it goes offline exactly once, and its next message, again to the
other node, restores it exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import Gateway, eventually, gateway_on, send

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
FAST: dict[str, Any] = {
    "dc09_supervision_grace_s": 0.2,
    "dc09_supervision_tick_s": 0.05,
    "lease_check_s": 0.1,
}
SUPERVISION_S = 2
LEASE_TAKEN_S = 0.5  # several lease checks: node A holds supervision before B starts


@pytest.fixture
def engine_name() -> str:
    return "postgres"


async def _kinds(gw: Gateway) -> list[str]:
    return sorted(alert["kind"] for alert in await gw.alerts())


async def test_a_device_heard_only_by_the_other_node_is_supervised_once_across_the_cluster(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db, **FAST) as a:
        await asyncio.sleep(LEASE_TAKEN_S)
        async with gateway_on(settings, Database(db.engine), **FAST) as b:
            await a.add_device("9201", supervision_s=SUPERVISION_S)
            await b.running.reload_accounts()
            for zone in range(8):  # 4 s of talking to B only: twice the interval
                assert await send(b.port, "9201", {"code": 602, "q": 1, "zone": zone})
                await asyncio.sleep(0.5)
            assert await _kinds(a) == []

            async def offline() -> bool:
                return await _kinds(a) == ["device_offline"]

            await eventually(offline, timeout_s=10)
            await asyncio.sleep(0.6)  # many ticks on both nodes: still one alert
            assert await _kinds(a) == ["device_offline"]

            assert await send(b.port, "9201", {"code": 602, "q": 1, "zone": 9})

            async def restored() -> bool:
                return await _kinds(a) == ["device_offline", "device_online"]

            await eventually(restored, timeout_s=10)
            await asyncio.sleep(0.6)
            assert await _kinds(b) == ["device_offline", "device_online"]
