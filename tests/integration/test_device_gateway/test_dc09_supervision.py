"""Supervision with a short interval, on both engines: a device that goes silent gets exactly
one "offline" alert, and exactly one "back online" notice when it speaks again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import Gateway, eventually, gateway_on, send

pytestmark = pytest.mark.integration

FAST: dict[str, Any] = {"dc09_supervision_grace_s": 0.2, "dc09_supervision_tick_s": 0.05}


async def _kinds(gw: Gateway) -> list[str]:
    return sorted(alert["kind"] for alert in await gw.alerts())


async def _online(gw: Gateway, device_id: int) -> bool:
    device = await gw.get(f"/api/v1/devices/{device_id}")
    return bool(device["online"])


async def test_a_silent_device_goes_offline_once_and_is_restored_once(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db, **FAST) as gw:
        device = await gw.add_device("9101", supervision_s=2)
        assert await send(gw.port, "9101", {"code": 602, "q": 1, "zone": 1})

        async def offline() -> bool:
            return await _kinds(gw) == ["device_offline"]

        await eventually(offline, timeout_s=5)
        await asyncio.sleep(0.6)  # several more ticks past the deadline: still one alert
        assert await _kinds(gw) == ["device_offline"]
        assert not await _online(gw, device["id"])

        assert await send(gw.port, "9101", {"code": 602, "q": 1, "zone": 2}, transport="UDP")

        async def restored() -> bool:
            return await _kinds(gw) == ["device_offline", "device_online"]

        await eventually(restored, timeout_s=2)
        assert await _online(gw, device["id"])
        alerts = {alert["kind"]: alert for alert in await gw.alerts()}
        assert alerts["device_offline"]["incident_id"] is not None
        assert alerts["device_online"]["incident_id"] is None  # a notice, nobody is sent
        timeline = await gw.get(
            f"/api/v1/incidents/{alerts['device_offline']['incident_id']}/timeline"
        )
        assert any("back online" in str(entry["data"].get("text", "")) for entry in timeline)


async def test_a_device_that_keeps_talking_never_goes_offline(
    settings: Settings, db: Database
) -> None:
    async with gateway_on(settings, db, **FAST) as gw:
        await gw.add_device("9102", supervision_s=2)
        for zone in range(6):
            assert await send(gw.port, "9102", {"code": 602, "q": 1, "zone": zone})
            await asyncio.sleep(0.5)
        assert await gw.alerts() == []


async def test_an_unsupervised_device_never_goes_offline(settings: Settings, db: Database) -> None:
    async with gateway_on(settings, db, **FAST) as gw:
        await gw.add_device("9103", supervision_s=0)
        await asyncio.sleep(1.0)
        assert await gw.alerts() == []
