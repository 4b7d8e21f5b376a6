"""The server under test: the real app on a real loopback port. The fixtures that use it are in
tests/integration/conftest.py."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import msgspec
import uvicorn

from server.app import create_app
from server.auth.schemas import Role
from server.auth.service import create_token
from server.db import Database
from server.relay.bus import Bus, InProcessBus
from server.settings import Settings
from server.state import AppState


class Live(msgspec.Struct):
    state: AppState
    http: str
    ws: str

    async def token(self, role: Role, crew_id: int | None = None) -> str:
        issued = await create_token(f"test-{role.value}-{uuid.uuid4().hex[:6]}", role, crew_id)
        return issued.token

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def serve(settings: Settings, db: Database, bus: Bus | None = None) -> AsyncIterator[Live]:
    """The real app on a real 127.0.0.1 port, in this event loop."""
    state = AppState(settings, db, bus or InProcessBus())
    config = uvicorn.Config(
        create_app(state),
        host="127.0.0.1",
        port=0,
        log_config=None,
        lifespan="on",
        ws_ping_interval=20.0,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Live(state=state, http=f"http://127.0.0.1:{port}", ws=f"ws://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await task
