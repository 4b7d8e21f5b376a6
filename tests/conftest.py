"""Shared fixtures: databases on both engines, a live server on a real loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
import uvicorn

from server.app import create_app
from server.auth.schemas import Role
from server.auth.service import create_token
from server.db import TABLES, Database, open_database
from server.relay.bus import Bus, InProcessBus
from server.settings import Settings
from server.state import AppState

POSTGRES_URL = os.environ.get(
    "POSBON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), timeout=1):
        return True
    return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    if not _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (CI must start it)")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"posbon_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    url = request.getfixturevalue("postgres_url") if engine_name == "postgres" else ""
    return Settings(data_dir=str(tmp_path / "var"), database_url=url)


async def _truncate(db: Database) -> None:
    names = ", ".join(table._meta.tablename for table in TABLES)
    await db.engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await open_database(settings)
    if not database.is_sqlite:
        await _truncate(database)
    yield database
    await database.close()


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


@pytest.fixture
async def live(settings: Settings, db: Database) -> AsyncIterator[Live]:
    async with serve(settings, db) as running:
        yield running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


JSON = dict[str, Any]


def posbon(*args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """`posbon ARGS` as its own process (what an operator types), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
