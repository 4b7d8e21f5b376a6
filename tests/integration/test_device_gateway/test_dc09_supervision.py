"""Supervision with a short interval, on both engines: a device that goes silent gets exactly
one "offline" alert, and exactly one "back online" notice when it speaks again."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.test_device_gateway.support import JSON, Gateway, gateway_on, send

pytestmark = pytest.mark.integration

FAST: dict[str, Any] = {"dc09_supervision_grace_s": 0.2, "dc09_supervision_tick_s": 0.05}


async def _kinds(gw: Gateway, device_id: int | None = None) -> list[str]:
    alerts = await gw.alerts()
    return sorted(a["kind"] for a in alerts if device_id in (None, a["device_id"]))


async def _went_offline(gw: Gateway, sentinel: JSON) -> None:
    """Wait until a silent sentinel device is reported offline: by then the supervision loop
    has ticked well past any deadline that a device added before it could have had."""

    async def offline() -> bool:
        return await _kinds(gw, sentinel["id"]) == ["device_offline"]

    await eventually(offline, timeout_s=10)


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
        await _went_offline(gw, await gw.add_device("9104", supervision_s=1))
        assert await _kinds(gw, device["id"]) == ["device_offline"]  # many ticks on: still one
        assert not await _online(gw, device["id"])

        assert await send(gw.port, "9101", {"code": 602, "q": 1, "zone": 2}, transport="UDP")

        async def restored() -> bool:
            return await _kinds(gw, device["id"]) == ["device_offline", "device_online"]

        await eventually(restored, timeout_s=2)
        assert await _online(gw, device["id"])
        alerts = {a["kind"]: a for a in await gw.alerts() if a["device_id"] == device["id"]}
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
        talking = await gw.add_device("9102", supervision_s=2)
        silent = await gw.add_device("9105", supervision_s=2)
        zones = itertools.count()

        async def talked_until_the_silent_one_is_offline() -> bool:
            assert await send(gw.port, "9102", {"code": 602, "q": 1, "zone": next(zones)})
            return await _kinds(gw, silent["id"]) == ["device_offline"]

        # A message every half second, well inside the 2 s interval, until the silent one's
        # deadline has passed.
        await eventually(talked_until_the_silent_one_is_offline, timeout_s=10, interval_s=0.5)
        assert await _kinds(gw, talking["id"]) == []


async def test_an_unsupervised_device_never_goes_offline(settings: Settings, db: Database) -> None:
    async with gateway_on(settings, db, **FAST) as gw:
        unsupervised = await gw.add_device("9103", supervision_s=0)
        await _went_offline(gw, await gw.add_device("9106", supervision_s=1))
        assert await _kinds(gw, unsupervised["id"]) == []
