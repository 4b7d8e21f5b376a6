"""Every long-lived part of a running server, crashed through the admin's fault drill: each
failure is an ERROR with a traceback, a count in /metrics and a name on /ready (503), and each
part is back within seconds, with the device doors answering again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.conftest import JSON
from tests.eventually import eventually
from tests.integration.live import serve
from tests.integration.test_device_gateway.support import (
    cid_frame,
    exchange,
    reply_token,
    udp_exchange,
)

RESTART_S = 3.0
BACK_WITHIN_S = RESTART_S + 5.0
EVERY_KIND = {
    # device listeners
    "dc09-tcp",
    "dc09-udp",
    "osmand-http",
    "gt06",
    "mqtt-buttons",
    # commit loops
    "dc09-commit",
    "osmand-commit",
    "gt06-commit",
    "http-commit",
    "mqtt-commit",
    # jobs
    "dc09-supervision",
    "dc09-supervision-lease",
    "dc09-accounts",
    "relay-hub",
    "reconcile",
    "revoked-sockets",
    "deadlines",
    "upload-expiry",
    "sync-compaction",
    # recognition
    "recognition-pump",
    "camera-workers",
    "crop-retention",
}


async def _ready(client: httpx.AsyncClient) -> tuple[int, JSON]:
    response = await client.get("/ready")
    return response.status_code, response.json()


async def _all_back(client: httpx.AsyncClient, admin: str) -> dict[str, str]:
    async def running() -> dict[str, str]:
        listed = await client.get("/api/v1/system/parts", headers={"Authorization": admin})
        states = {part["name"]: part["state"] for part in listed.json()}
        assert set(states.values()) == {"running"}, states
        return states

    return await eventually(running, timeout_s=BACK_WITHIN_S)


def _failures(metrics_text: str, part: str) -> float:
    prefix = f'posbon_part_failures_total{{part="{part}"}} '
    for line in metrics_text.splitlines():
        if line.startswith(prefix):
            return float(line.removeprefix(prefix))
    return 0.0


@pytest.mark.slow
async def test_every_part_crashed_is_loud_and_comes_back(
    settings: Settings, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    tuned = with_overrides(
        settings,
        fault_drills=True,
        part_restart_s=RESTART_S,  # long enough to see every crashed part down on a busy machine
        dc09_port=0,
        osmand_port=0,
        gt06_port=0,
        teltonika_port=0,
        mqtt_url="mqtt://127.0.0.1:1883",
    )
    async with (
        serve(tuned, db, device_listeners=True) as live,  # every part `posbon serve` runs
        httpx.AsyncClient(base_url=live.http) as client,
    ):
        admin = f"Bearer {await live.token(Role.ADMIN)}"
        listed = await client.get("/api/v1/system/parts", headers={"Authorization": admin})
        names = {part["name"] for part in listed.json()}
        assert names >= EVERY_KIND
        with caplog.at_level(logging.ERROR, logger="server.parts"):
            for name in sorted(names):
                crashed = await client.post(
                    f"/api/v1/system/parts/{name}/crash", headers={"Authorization": admin}
                )
                assert crashed.status_code == 202, crashed.text
            status, body = await _ready(client)
            states = await _all_back(client, admin)
        metrics = await client.get("/metrics", headers={"Authorization": admin})
        status_after, _ = await _ready(client)
        dc09_port = live.device_ports["dc09"]
        udp_reply = await asyncio.to_thread(udp_exchange, dc09_port, cid_frame("4711", 1))
        tcp_replies = await exchange(dc09_port, cid_frame("4711", 2), replies=1)
    assert status == 503
    assert set(body["failed"]) == names
    assert set(states.values()) == {"running"}, states
    assert status_after == 200
    # Only the parts' own records: a test before this one may have left other loggers louder.
    failures = [record for record in caplog.records if record.name == "server.parts"]
    logged = {record.getMessage().split()[1] for record in failures}
    assert logged == names
    assert all(record.exc_info is not None for record in failures)
    assert all(_failures(metrics.text, name) == 1 for name in names)
    assert udp_reply is not None
    assert reply_token(udp_reply) == "ACK"
    assert reply_token(tcp_replies[0]) == "ACK"


async def test_without_fault_drills_no_part_can_be_crashed(live_admin: tuple[str, str]) -> None:
    http, admin = live_admin
    async with httpx.AsyncClient(base_url=http) as client:
        refused = await client.post(
            "/api/v1/system/parts/relay-hub/crash", headers={"Authorization": admin}
        )
    assert refused.status_code == 409
    assert refused.json()["code"] == "fault_drills_off"


@pytest.fixture
async def live_admin(settings: Settings, db: Database) -> AsyncIterator[tuple[str, str]]:
    async with serve(settings, db) as live:
        yield live.http, f"Bearer {await live.token(Role.ADMIN)}"
