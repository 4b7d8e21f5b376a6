"""Small clients for the integration tests: real httpx over loopback and real websockets."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.integration.live import Live


async def post_alert(live: Live, token: str, **body: Any) -> dict[str, Any]:
    payload = {"kind": "panic", "lat": 39.6548, "lon": 66.9757, "address": "Registan"} | body
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        response = await client.post("/api/v1/alerts", json=payload)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


async def create_crew(live: Live, admin: str, name: str, lat: float, lon: float) -> int:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        response = await client.post("/api/v1/crews", json={"name": name, "lat": lat, "lon": lon})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def dispatch(live: Live, token: str, incident_id: int, crew_id: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        response = await client.post(
            f"/api/v1/incidents/{incident_id}/dispatch", json={"crew_id": crew_id}
        )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def open_socket(
    live: Live, path: str, token: str, last_seq: int | None = None
) -> tuple[ClientConnection, dict[str, Any]]:
    socket = await connect(live.ws + path)
    await socket.send(json.dumps({"type": "hello", "token": token, "last_seq": last_seq}))
    welcome = json.loads(await socket.recv())
    assert welcome["type"] == "welcome", welcome
    return socket, welcome


async def receive(socket: ClientConnection, count: int, timeout_s: float = 10.0) -> list[Any]:
    return [json.loads(await asyncio.wait_for(socket.recv(), timeout_s)) for _ in range(count)]


async def nothing_more(socket: ClientConnection, wait_s: float = 0.3) -> bool:
    try:
        extra = await asyncio.wait_for(socket.recv(), wait_s)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected extra message: {extra!r}")
