"""Two real `posbon serve` processes on the machine's PostgreSQL and Redis, and the clients the
cluster tests drive them with."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import free_port
from tests.integration.test_server.process import ServerProcess

JSON = dict[str, Any]
REDIS_URL = os.environ.get("POSBON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Short timers, so a test sees a re-send and an escalation in seconds.
FAST_TIMERS = {
    "POSBON_DISPATCH_RESEND_S": "1",
    "POSBON_DISPATCH_ESCALATE_S": "2",
    "POSBON_DEADLINE_POLL_S": "0.2",
    "POSBON_LEASE_CHECK_S": "0.5",
    "POSBON_DC09_ACCOUNTS_REFRESH_S": "0.5",
    "POSBON_RELAY_RECONCILE_S": "0.5",
}


def redis_reachable() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=1):
        return True
    return False


def require_redis() -> None:
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI must start it)")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")


class Node:
    """One cluster member: its process, its DC-09 port, and an admin token."""

    def __init__(self, name: str, data_dir: Path, database_url: str, **env: str) -> None:
        self.name = name
        self.dc09_port = free_port()
        settings = FAST_TIMERS | {"POSBON_BUS_URL": REDIS_URL} | env
        settings["POSBON_DC09_PORT"] = str(self.dc09_port)
        self.process = ServerProcess(data_dir, database_url, settings)

    @property
    def http(self) -> str:
        return self.process.http

    @property
    def ws(self) -> str:
        return self.http.replace("http://", "ws://")

    def token(self, role: str, crew_id: int | None = None) -> str:
        crew = [] if crew_id is None else ["--crew", str(crew_id)]
        return self.process.command(
            "token", "create", "--role", role, "--name", f"{self.name}-{role}", *crew
        )

    def client(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.http, headers={"Authorization": f"Bearer {token}"})

    async def post(self, token: str, path: str, body: JSON) -> JSON:
        async with self.client(token) as http:
            response = await http.post(path, json=body)
        assert response.status_code in (200, 201), response.text
        result: JSON = response.json()
        return result

    async def get(self, token: str, path: str, **params: Any) -> Any:
        async with self.client(token) as http:
            response = await http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def socket(
        self, path: str, token: str, last_seq: int | None = None
    ) -> tuple[ClientConnection, JSON]:
        ws = await connect(self.ws + path)
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": last_seq}))
        welcome: JSON = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        return ws, welcome


@contextlib.contextmanager
def two_nodes(
    tmp_path: Path, database_url: str, env: Mapping[str, str] | None = None
) -> Iterator[tuple[Node, Node]]:
    """Node A, then node B (one after the other: the first applies migrations); `env`: more
    POSBON_* settings for both."""
    a = Node("a", tmp_path / "a", database_url, **(env or {}))
    b = Node("b", tmp_path / "b", database_url, **(env or {}))
    a.process.start()
    try:
        b.process.start()
        try:
            yield a, b
        finally:
            b.process.stop()
    finally:
        a.process.stop()


async def add_device(node: Node, admin: str, account: str) -> JSON:
    site = await node.post(
        admin,
        "/api/v1/sites",
        {"name": f"School {account}", "address": "Registan 1", "lat": 39.6548, "lon": 66.9757},
    )
    return await node.post(
        admin, "/api/v1/devices", {"account": account, "site_id": site["id"], "supervision_s": 0}
    )


async def next_of(ws: ClientConnection, kind: str, timeout_s: float = 20.0) -> JSON:
    """The next event of this type on a socket (others are skipped)."""
    async with asyncio.timeout(timeout_s):
        while True:
            event: JSON = json.loads(await ws.recv())
            if event["type"] == kind:
                return event
