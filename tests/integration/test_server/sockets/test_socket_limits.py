"""A socket's client is bounded in how much it makes the server do, with real websockets clients
on a real port: acks are coalesced into few receipt writes and none is lost, heartbeats are
answered a few times a second, and a client far over its message budget is closed and counted."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any, Final

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.auth.schemas import Role
from server.sockets.connection import CLOSE_TOO_MANY_MESSAGES
from server.sockets.pacing import HEARTBEAT_INTERVAL_S, MESSAGE_BURST
from tests.integration.live import Live
from tests.integration.test_server.helpers import (
    create_crew,
    dispatch,
    open_socket,
    post_alert,
    receive,
)

pytestmark = pytest.mark.integration

DEADLINE_S: Final = 10.0
ACKS_PER_EVENT: Final = 200
HEARTBEATS: Final = 300
FLOOD_CAP: Final = 20 * MESSAGE_BURST
"""Messages a flooding client sends at most before the test gives up on being closed."""
HEARTBEAT = json.dumps({"type": "heartbeat"})
MARKER = json.dumps({"type": "no-such-message"})
"""Answered with an error after everything sent before it was handled (in order)."""


async def _delivered(live: Live, token: str, incident_id: int) -> int:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        entries = (await client.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
    return sum(1 for entry in entries if entry["kind"] == "delivered")


async def _until(check: Any, deadline_s: float = DEADLINE_S) -> None:
    """Poll `check()` until it is true; fail at the deadline."""
    deadline = time.monotonic() + deadline_s
    while not await check():
        assert time.monotonic() < deadline, f"not true within {deadline_s} s"
        await asyncio.sleep(0.05)


async def test_an_ack_flood_is_coalesced_and_every_receipt_is_stored(live: Live) -> None:
    """Hundreds of acks, the last ones sent just before the close: one receipt per dispatch,
    written once each, and the dispatcher sees each on the incident's timeline."""
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    crew_id = await create_crew(live, admin, "Sher-1", 39.65, 66.96)
    tablet, _ = await open_socket(live, "/ws/crew", await live.token(Role.CREW, crew_id))
    incidents = []
    for _ in range(3):
        alert = await post_alert(live, dispatcher)
        await dispatch(live, dispatcher, alert["incident_id"], crew_id)
        incidents.append(alert["incident_id"])
    sent = await receive(tablet, 3)
    assert [event["type"] for event in sent] == ["dispatch"] * 3
    for event in sent:
        for _ in range(ACKS_PER_EVENT):
            await tablet.send(json.dumps({"type": "ack", "seq": event["seq"]}))
    await tablet.close()

    writes = live.state.metrics.receipt_writes

    async def all_stored() -> bool:
        counts = [await _delivered(live, dispatcher, incident) for incident in incidents]
        return counts == [1, 1, 1] and writes._value.get() >= len(incidents)

    await _until(all_stored)
    assert writes._value.get() == len(incidents)  # not one write per ack


async def test_a_heartbeat_flood_is_answered_a_few_times_a_second(live: Live) -> None:
    desk, _ = await open_socket(live, "/ws/dispatch", await live.token(Role.DISPATCHER))
    started = time.monotonic()
    for _ in range(HEARTBEATS):
        await desk.send(HEARTBEAT)
    await desk.send(MARKER)
    pongs = 0
    while (answer := json.loads(await asyncio.wait_for(desk.recv(), DEADLINE_S)))["type"] != (
        "error"
    ):
        assert answer["type"] == "pong", answer
        pongs += 1
    elapsed_s = time.monotonic() - started
    await desk.close()
    assert 1 <= pongs <= 1 + math.floor(elapsed_s / HEARTBEAT_INTERVAL_S)
    dropped = live.state.metrics.heartbeats_dropped._value.get()
    assert HEARTBEATS - pongs <= dropped < HEARTBEATS


async def test_a_heartbeat_too_soon_after_another_is_answered_late(live: Live) -> None:
    """Not ignored: a page drops a socket that stays silent after its heartbeat."""
    desk, _ = await open_socket(live, "/ws/dispatch", await live.token(Role.DISPATCHER))
    await desk.send(HEARTBEAT)
    await desk.send(HEARTBEAT)
    answers = await receive(desk, 2)
    await desk.close()
    assert [answer["type"] for answer in answers] == ["pong", "pong"]


async def _flood(socket: ClientConnection) -> None:
    """Send heartbeats as fast as the socket takes them, then read the pongs; ends only by
    the socket being closed (ConnectionClosed)."""
    for _ in range(FLOOD_CAP):
        await socket.send(HEARTBEAT)
    while True:
        await asyncio.wait_for(socket.recv(), DEADLINE_S)


async def _flood_until_closed(socket: ClientConnection) -> int:
    """Flood the socket until the server closes it; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        await _flood(socket)
    assert closed.value.rcvd is not None, "the server never closed the flooding socket"
    return closed.value.rcvd.code


async def test_a_client_far_over_its_budget_is_closed_and_counted(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Sher-2", 39.65, 66.96)
    tablet, _ = await open_socket(live, "/ws/crew", await live.token(Role.CREW, crew_id))
    desk, _ = await open_socket(live, "/ws/dispatch", await live.token(Role.DISPATCHER))

    assert await _flood_until_closed(tablet) == CLOSE_TOO_MANY_MESSAGES == 1008
    floods = live.state.metrics.flood_disconnects
    assert floods.labels("crew")._value.get() == 1
    assert floods.labels("dispatch")._value.get() == 0
    await desk.send(HEARTBEAT)  # another client on the same server is not affected
    assert (await receive(desk, 1))[0]["type"] == "pong"
    await desk.close()
