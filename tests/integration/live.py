"""The server under test: the real app on a real loopback port. The fixtures that use it are in
tests/integration/conftest.py."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping

import msgspec
import uvicorn

from server.app import Node
from server.auth.schemas import Role
from server.auth.service import create_token
from server.db import Database
from server.relay.bus import Bus, InProcessBus
from server.settings import Settings
from server.state import AppState
from server.uploads.service import Uploads
from tests.eventually import eventually


class Live(msgspec.Struct):
    state: AppState
    uploads: Uploads
    """The node's upload service (a domain service: not in the state)."""
    http: str
    ws: str
    device_ports: Mapping[str, int] = msgspec.field(default_factory=dict)
    """The device ports bound, by protocol name (``dc09`` …), with `device_listeners` only."""

    async def token(self, role: Role, crew_id: int | None = None) -> str:
        issued = await create_token(
            self.state.db, f"test-{role.value}-{uuid.uuid4().hex[:6]}", role, crew_id
        )
        return issued.token

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def serve(
    settings: Settings, db: Database, bus: Bus | None = None, *, device_listeners: bool = False
) -> AsyncIterator[Live]:
    """The real app on a real 127.0.0.1 port, in this event loop. Its lifespan runs the node's
    parts but the device listeners (server/app.py); with `device_listeners` the node runs as
    `posbon serve` runs it instead: every part, device listeners included, around the server."""
    node = Node(AppState(settings, db, bus or InProcessBus()))
    async with contextlib.AsyncExitStack() as stack:
        ports: Mapping[str, int] = {}
        if device_listeners:
            running = await stack.enter_async_context(node.running(device_listeners=True))
            ports = running.device_ports
        async with _serving(node, start_parts=not device_listeners) as port:
            yield Live(
                state=node.state,
                uploads=node.uploads,
                http=f"http://127.0.0.1:{port}",
                ws=f"ws://127.0.0.1:{port}",
                device_ports=ports,
            )


@contextlib.asynccontextmanager
async def _serving(node: Node, *, start_parts: bool) -> AsyncIterator[int]:
    """uvicorn serving the node's app on a free port, which it yields."""
    config = uvicorn.Config(
        node.app(start_parts=start_parts),
        host="127.0.0.1",
        port=0,
        log_config=None,
        lifespan="on",
        ws_ping_interval=20.0,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await until_started(server, task)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def until_started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Wait until ``server`` (serving in ``task``) accepts connections; a failed start raises."""

    def started() -> bool:
        if task.done():
            task.result()  # the start failed: its error, now
            raise RuntimeError("the server stopped before it started")
        return bool(server.started)

    await eventually(started, interval_s=0.01)
