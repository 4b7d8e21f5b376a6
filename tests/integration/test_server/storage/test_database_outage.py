"""A database that cannot be reached is a 503 `database_unavailable` with Retry-After, never a
500: PostgreSQL going away (every connection cut, new ones refused) and SQLite's file lock held
by another process past the busy timeout. Once the database is back, the same request works."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import urllib.parse
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import httpx
import pytest

import server.db
from server.auth.schemas import Role
from server.db import open_database, sqlite_path
from server.settings import Settings
from tests.integration.live import Live, serve

pytestmark = pytest.mark.integration

ALERT = {"kind": "panic", "address": "Registan"}
POOL_RECONNECTS = 25  # more than the pool's connections, each of which may be found dead once
BUSY_TIMEOUT_S = 0.2


class CuttableProxy:
    """A TCP forwarder in front of PostgreSQL that can drop every connection and refuse new
    ones (PostgreSQL stopping, a network cut), then accept again on the same port. It runs its
    own event loop in a thread: piccolo checks the server's version with a blocking call while
    the engine is made, which a forwarder on the test's own loop could never answer."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    async def start(self) -> None:
        await self._on_own_loop(self._listen())

    async def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        await self._on_own_loop(self._stop())

    async def close(self) -> None:
        await self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join)
        self._loop.close()

    async def _on_own_loop(self, step: Coroutine[Any, Any, None]) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(step, self._loop))

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for writer in list(self._pipes):
            writer.transport.abort()
        await server.wait_closed()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._pipes |= {writer, upstream_writer}
        try:
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        finally:
            self._pipes -= {writer, upstream_writer}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65_536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


@pytest.fixture
def engine_name() -> str:
    return "postgres"  # the SQLite test below builds its own server


@pytest.fixture
async def proxied(settings: Settings) -> AsyncIterator[tuple[Live, CuttableProxy]]:
    url = urllib.parse.urlsplit(settings.database_url)
    proxy = CuttableProxy((url.hostname or "127.0.0.1", url.port or 5432))
    await proxy.start()
    through_proxy = url._replace(netloc=url.netloc.rsplit(":", 1)[0] + f":{proxy.port}")
    proxied_settings = Settings(data_dir=settings.data_dir, database_url=through_proxy.geturl())
    database = await open_database(proxied_settings)
    try:
        async with serve(proxied_settings, database) as live:
            yield live, proxy
    finally:
        await proxy.start()  # back, so the pool can close cleanly
        await database.close()
        await proxy.close()


async def post_alert(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/api/v1/alerts", json=ALERT)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.postgres
async def test_postgresql_going_away_is_a_503_and_coming_back_ends_it(
    proxied: tuple[Live, CuttableProxy],
) -> None:
    live, proxy = proxied
    token = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        assert (await post_alert(client)).status_code == 201  # the token is now known
        await proxy.cut()
        assert_unavailable(await post_alert(client))  # pooled connections are dead
        assert_unavailable(await post_alert(client))  # and new ones refused
        await proxy.start()
        statuses = [(await post_alert(client)).status_code for _ in range(POOL_RECONNECTS)]
    assert set(statuses) <= {201, 503}
    assert statuses[-1] == 201


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_sqlite_locked_past_the_busy_timeout_is_a_503(
    live: Live, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server.db, "SQLITE_BUSY_TIMEOUT_S", BUSY_TIMEOUT_S)
    token = await live.token(Role.DISPATCHER)
    # The server runs in this process and writes in the background too (a token's last use):
    # the lock is taken off the event loop, so such a write can commit and free it meanwhile.
    other_process = sqlite3.connect(
        sqlite_path(settings), isolation_level=None, timeout=60, check_same_thread=False
    )
    try:
        async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
            assert (await post_alert(client)).status_code == 201
            await asyncio.to_thread(other_process.execute, "BEGIN IMMEDIATE")  # the write lock
            assert_unavailable(await post_alert(client))
            other_process.execute("ROLLBACK")
            assert (await post_alert(client)).status_code == 201
    finally:
        other_process.close()
