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
from tests.eventually import eventually
from tests.integration.test_cluster.advisory import lock_holders
from tests.integration.test_device_gateway.support import Gateway, gateway_on, send

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
FAST: dict[str, Any] = {
    "dc09_supervision_grace_s": 0.2,
    "dc09_supervision_tick_s": 0.05,
    "lease_check_s": 0.1,
}
SUPERVISION_S = 2
WAIT_S = 10


@pytest.fixture
def engine_name() -> str:
    return "postgres"


async def _kinds(gw: Gateway, device_id: int | None = None) -> list[str]:
    alerts = await gw.alerts()
    return sorted(a["kind"] for a in alerts if device_id in (None, a["device_id"]))


async def _ticked_on(a: Gateway, b: Gateway, account: str) -> None:
    """Add a silent sentinel device and wait for its "offline": by then both nodes have
    ticked well past every deadline a device added before it could have had."""
    sentinel = await a.add_device(account, supervision_s=1)
    await b.running.reload_accounts()

    async def offline() -> bool:
        return await _kinds(a, sentinel["id"]) == ["device_offline"]

    await eventually(offline, timeout_s=WAIT_S)


async def test_a_device_heard_only_by_the_other_node_is_supervised_once_across_the_cluster(
    settings: Settings, db: Database, postgres_url: str
) -> None:
    async with gateway_on(settings, db, **FAST) as a:
        await eventually(lambda: lock_holders(postgres_url, "supervision"), timeout_s=WAIT_S)
        async with gateway_on(settings, Database(db.engine), **FAST) as b:
            device = await a.add_device("9201", supervision_s=SUPERVISION_S)
            await b.running.reload_accounts()
            for zone in range(8):  # 4 s of talking to B only: twice the interval
                assert await send(b.port, "9201", {"code": 602, "q": 1, "zone": zone})
                await asyncio.sleep(0.5)  # the behaviour under test: a panel's steady pace
            assert await _kinds(a) == []

            async def offline() -> bool:
                return await _kinds(a, device["id"]) == ["device_offline"]

            await eventually(offline, timeout_s=WAIT_S)
            await _ticked_on(a, b, "9202")
            assert await _kinds(a, device["id"]) == ["device_offline"]  # still one alert

            assert await send(b.port, "9201", {"code": 602, "q": 1, "zone": 9})

            async def restored() -> bool:
                return await _kinds(a, device["id"]) == ["device_offline", "device_online"]

            await eventually(restored, timeout_s=WAIT_S)
            await _ticked_on(a, b, "9203")
            assert await _kinds(b, device["id"]) == ["device_offline", "device_online"]
