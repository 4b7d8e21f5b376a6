"""A revoked token stops at once, sockets included; sockets keep to the API's limits; an address
guessing tokens is turned away for a while."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.auth import repository as tokens
from server.auth.schemas import IssuedToken, Role
from server.auth.service import create_token
from server.db import Database
from server.settings import Settings, with_overrides
from tests.integration.live import Live, serve
from tests.integration.test_server.helpers import (
    create_crew,
    nothing_more,
    open_socket,
    receive,
)

pytestmark = pytest.mark.integration

CLOSED_WITHIN_S = 1.0


async def _issue(live: Live, role: Role, crew_id: int | None = None) -> IssuedToken:
    return await create_token(live.state.db, f"test-{role.value}", role, crew_id)


async def _closed_code(socket: ClientConnection, within_s: float) -> int:
    """The close code the server sends within `within_s`, skipping any event before it."""
    deadline = time.monotonic() + within_s
    with pytest.raises(ConnectionClosed) as closed:
        await _drain(socket, deadline)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _drain(socket: ClientConnection, deadline: float) -> None:
    while True:
        await asyncio.wait_for(socket.recv(), max(0.0, deadline - time.monotonic()))


async def test_revoking_a_token_closes_its_sockets_at_once_and_refuses_its_requests(
    live: Live,
) -> None:
    admin_token = await live.token(Role.ADMIN)
    admin = live.headers(admin_token)
    crew_id = await create_crew(live, admin_token, "Kalxat-1", 39.6, 66.9)
    desk, tablet = await _issue(live, Role.DISPATCHER), await _issue(live, Role.CREW, crew_id)
    kept = await _issue(live, Role.DISPATCHER)
    desk_socket, _ = await open_socket(live, "/ws/dispatch", desk.token)
    crew_socket, _ = await open_socket(live, "/ws/crew", tablet.token)
    kept_socket, _ = await open_socket(live, "/ws/dispatch", kept.token)
    async with httpx.AsyncClient(base_url=live.http) as client:
        assert (await client.get("/api/v1/sites", headers=live.headers(desk.token))).is_success
        for issued in (desk, tablet):
            revoked = await client.post(f"/api/v1/tokens/{issued.id}/revoke", headers=admin)
            assert revoked.status_code == 204, revoked.text
        started = time.monotonic()
        codes = [await _closed_code(s, CLOSED_WITHIN_S) for s in (desk_socket, crew_socket)]
        elapsed_s = time.monotonic() - started
        after = await client.get("/api/v1/sites", headers=live.headers(desk.token))
        listed = await client.get("/api/v1/tokens", headers=admin)
    assert codes == [4401, 4401]
    assert elapsed_s < CLOSED_WITHIN_S
    assert after.status_code == 401
    assert {t["id"]: t["revoked"] for t in listed.json()}[desk.id] is True
    await kept_socket.send(json.dumps({"type": "heartbeat"}))
    assert (await receive(kept_socket, 1))[0]["type"] == "pong"
    await kept_socket.close()


async def test_a_revocation_no_doorbell_announced_is_found_by_the_sweep(
    settings: Settings, db: Database
) -> None:
    quick = with_overrides(settings, relay_reconcile_s=0.2)
    async with serve(quick, db) as live:
        desk = await _issue(live, Role.DISPATCHER)
        socket, _ = await open_socket(live, "/ws/dispatch", desk.token)
        await tokens.revoke(db, desk.id)  # what `posbon token revoke` does in its own process
        assert await _closed_code(socket, 2.0) == 4401


@pytest.fixture
async def strict(settings: Settings, db: Database) -> AsyncIterator[Live]:
    tuned = with_overrides(
        settings, auth_failures_max=3, auth_block_s=60.0, relay_position_interval_s=1.0
    )
    async with serve(tuned, db) as live:
        yield live


async def test_an_address_presenting_unknown_tokens_is_refused_for_a_while(
    strict: Live, caplog: pytest.LogCaptureFixture
) -> None:
    valid = await strict.token(Role.DISPATCHER)
    with caplog.at_level(logging.WARNING, logger="server.auth.service"):
        async with httpx.AsyncClient(base_url=strict.http) as client:
            statuses = [
                (
                    await client.get("/api/v1/sites", headers=strict.headers(f"pb_guess{n}"))
                ).status_code
                for n in range(6)
            ]
            with_valid = await client.get("/api/v1/sites", headers=strict.headers(valid))
        socket = await connect(strict.ws + "/ws/dispatch")
        await socket.send(json.dumps({"type": "hello", "token": valid}))
        code = await _closed_code(socket, 5.0)
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert with_valid.status_code == 429
    assert with_valid.json()["code"] == "too_many_failed_tokens"
    assert code == 4429
    assert len([r for r in caplog.records if "unknown tokens" in r.getMessage()]) == 1


async def test_a_socket_keeps_one_position_a_second_and_counts_the_rest(strict: Live) -> None:
    admin = await strict.token(Role.ADMIN)
    crew_id = await create_crew(strict, admin, "Kalxat-2", 39.6, 66.9)
    desk, _ = await open_socket(strict, "/ws/dispatch", await strict.token(Role.DISPATCHER))
    tablet, _ = await open_socket(strict, "/ws/crew", await strict.token(Role.CREW, crew_id))
    for step in range(5):
        position = {"type": "position", "lat": 39.6 + step / 1000, "lon": 66.9}
        await tablet.send(json.dumps(position))
    await tablet.send(json.dumps({"type": "heartbeat"}))
    assert (await receive(tablet, 1))[0]["type"] == "pong"
    moved = await receive(desk, 1)
    assert moved[0]["type"] == "crew"
    assert moved[0]["data"]["lat"] == pytest.approx(39.6)
    assert await nothing_more(desk)
    assert strict.state.metrics.positions_dropped._value.get() == 4
    await tablet.close()
    await desk.close()


async def test_a_socket_status_change_is_held_to_the_apis_limits(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Kalxat-3", 39.6, 66.9)
    tablet, _ = await open_socket(live, "/ws/crew", await live.token(Role.CREW, crew_id))
    status = {"type": "status", "incident_id": 1, "status": "en_route", "op_id": "op-long-0001"}
    await tablet.send(json.dumps(status | {"note": "n" * 2001}))
    await tablet.send(json.dumps(status | {"note": "n" * 100_000}))
    answers = await receive(tablet, 2)
    assert [answer["type"] for answer in answers] == ["error", "error"]
    assert [answer["code"] for answer in answers] == ["bad_message", "message_too_long"]
    await tablet.close()
