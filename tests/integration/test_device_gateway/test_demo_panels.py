"""The demo presses its buttons as real DC-09 panels talking to its own receiver."""

from __future__ import annotations

import random

import pytest

from server.alerts.schemas import AlertKind
from server.db import Database
from server.demo import seed
from server.demo.panels import press_a_panel
from server.demo.simulator import Simulator
from server.settings import Settings
from tests.integration.live import serve
from tests.integration.test_device_gateway.support import gateway_on

pytestmark = pytest.mark.integration


async def test_a_demo_press_is_a_dc09_frame_that_raises_an_alert(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db) as gw:
        await seed.seed(db)
        await gw.running.reload_accounts()
        host = gw.live.state.settings.host
        assert await press_a_panel(db, host, gw.port, random.Random(7), AlertKind.FIRE)
        (alert,) = await gw.alerts()
        (signal,) = await gw.signals()
    assert (alert["kind"], alert["source"]) == ("fire", "dc09")
    assert alert["site"]["name"]
    assert (signal["token"], signal["code"], signal["transport"]) == ("ADM-CID", "110", "tcp")


async def test_without_a_running_receiver_the_demo_raises_its_alert_itself(
    settings: Settings, db: Database
) -> None:
    async with serve(settings, db) as live:
        await seed.seed(db)
        simulator = Simulator(live.state, random.Random(7), panel_port=None)
        assert not await press_a_panel(db, settings.host, None, random.Random(7), AlertKind.PANIC)
        await simulator.press_a_button()
    rows = await db.fetch("SELECT source FROM alerts")
    assert [row["source"] for row in rows] == ["demo"]
