"""A request head is due within http_header_timeout_s, on both event loops the server runs on:
the API port as `posbon serve` configures it (server.runner.api_config) answers a head trickled
past the deadline with 408 and hangs up, counts it, and still serves whole requests, kept-alive
connections and WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any, Final

import h11
import pytest
import uvicorn
import uvloop
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from server import runner
from server.app import Node
from server.db import open_database
from server.metrics import Metrics
from server.relay.bus import InProcessBus
from server.settings import Settings
from server.state import AppState
from tests.integration.live import until_started
from tests.trickle import GIVE_UP_S, connection, head_start, trickle, trickle_until_closed

pytestmark = pytest.mark.integration

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "uvloop": uvloop.new_event_loop,
    "asyncio": asyncio.new_event_loop,
}
HEAD_TIMEOUT_S: Final = 0.5
TIMEOUTS: Final = "posbon_http_header_timeouts_total"
REQUEST_TIMEOUT: Final = b"HTTP/1.1 408 "
BAD_TOKEN_CLOSE: Final = 4401


class Api:
    def __init__(self, port: int, metrics: Metrics) -> None:
        self.port = port
        self.metrics = metrics

    def timeouts(self) -> float | None:
        return self.metrics.registry.get_sample_value(TIMEOUTS)


@contextlib.asynccontextmanager
async def served_api(data_dir: Path) -> AsyncIterator[Api]:
    """The API on a free 127.0.0.1 port, configured as `posbon serve` configures it."""
    settings = Settings(data_dir=str(data_dir), http_port=0, http_header_timeout_s=HEAD_TIMEOUT_S)
    db = await open_database(settings)
    state = AppState(settings, db, InProcessBus())
    sock = runner.bind_http(settings)
    server = uvicorn.Server(runner.api_config(Node(state)))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await until_started(server, task)
        yield Api(sock.getsockname()[1], state.metrics)
    finally:
        server.should_exit = True
        await task
        await state.parts.close()
        await db.close()
        sock.close()


def on_loop(loop_name: str, test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    with asyncio.Runner(loop_factory=LOOPS[loop_name]) as loop:
        loop.run(test())


async def get_health(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client: h11.Connection
) -> int:
    """One whole GET /health on a kept-alive connection; its status."""
    request = h11.Request(method="GET", target="/health", headers=[("Host", "posbon")])
    writer.write((client.send(request) or b"") + (client.send(h11.EndOfMessage()) or b""))
    status = 0
    while not isinstance(event := client.next_event(), h11.EndOfMessage):
        if event is h11.NEED_DATA:
            client.receive_data(await asyncio.wait_for(reader.read(65_536), GIVE_UP_S))
        elif isinstance(event, h11.Response):
            status = event.status_code
    client.start_next_cycle()
    return status


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_a_head_trickled_past_the_deadline_is_answered_408_and_counted(
    loop_name: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with served_api(tmp_path) as api:
            answer = await trickle_until_closed(api.port, head_start())
            assert answer.startswith(REQUEST_TIMEOUT), answer
            assert api.timeouts() == 1

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_a_connection_that_never_speaks_is_closed_and_counted(
    loop_name: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with served_api(tmp_path) as api:
            async with connection(api.port) as (reader, _):
                answer = await asyncio.wait_for(reader.read(), GIVE_UP_S)
            assert answer.startswith(REQUEST_TIMEOUT), answer
            assert api.timeouts() == 1

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_a_kept_alive_connection_serves_two_requests_then_times_out_a_trickled_third(
    loop_name: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with served_api(tmp_path) as api:
            async with connection(api.port) as (reader, writer):
                client = h11.Connection(h11.CLIENT)
                statuses = [await get_health(reader, writer, client) for _ in range(2)]
                whole_requests_timed_out = api.timeouts()
                answer = await trickle(reader, writer, head_start())
            assert statuses == [200, 200]
            assert whole_requests_timed_out == 0
            assert answer.startswith(REQUEST_TIMEOUT), answer
            assert api.timeouts() == 1

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_a_kept_alive_connection_left_idle_is_closed_quietly_and_not_counted(
    loop_name: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with served_api(tmp_path) as api, connection(api.port) as (reader, writer):
            status = await get_health(reader, writer, h11.Connection(h11.CLIENT))
            after_the_response = await asyncio.wait_for(reader.read(), GIVE_UP_S)
            assert status == 200
            assert after_the_response == b""
            assert api.timeouts() == 0

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_a_body_trickled_after_the_answer_is_cut_off_and_counted(
    loop_name: str, tmp_path: Path
) -> None:
    # No token: answered 401 before the body is read. Only 408 cannot follow a response.
    start = (
        b"POST /api/v1/incidents/1/status HTTP/1.1\r\nHost: posbon\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
    )

    async def scenario() -> None:
        async with served_api(tmp_path) as api:
            answer = await trickle_until_closed(api.port, start, drip=b" ")
            assert answer.startswith(b"HTTP/1.1 401 "), answer
            assert REQUEST_TIMEOUT not in answer
            assert api.timeouts() == 1

    on_loop(loop_name, scenario)


@pytest.mark.parametrize("loop_name", list(LOOPS))
def test_a_websocket_is_not_held_to_the_head_deadline(loop_name: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with served_api(tmp_path) as api:
            async with connect(f"ws://127.0.0.1:{api.port}/ws/dispatch") as socket:
                # A head that starts after the socket opened misses its deadline: the socket's
                # own would have passed by then too.
                trickled = await trickle_until_closed(api.port, head_start())
                await socket.send(json.dumps({"type": "hello", "token": "not-a-token"}))
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(socket.recv(), GIVE_UP_S)
            assert trickled.startswith(REQUEST_TIMEOUT), trickled
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == BAD_TOKEN_CLOSE
            assert api.timeouts() == 1

    on_loop(loop_name, scenario)
