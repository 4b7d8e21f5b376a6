"""Must-show: a revoked token is refused on both nodes of a two-node cluster within 1 s.

Two real `posbon serve` processes share PostgreSQL and Redis. A dispatcher's token is used on
both nodes (so each has it in its token cache) and holds a /ws/dispatch socket on node B. It is
revoked through node A's API, and then by `posbon token revoke` run as its own process (which
rings the same doorbell through the Redis bus it is configured with). From the moment the revoke
answers, each node must refuse the token, and B must close the socket with 4401, within 1 s.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Final

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.db import Database
from tests.integration.test_cluster.nodes import Node, require_redis, two_nodes

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.slow]

MUST_REFUSE_WITHIN_S: Final = 1.0
GIVE_UP_S: Final = 10.0  # a revocation that never arrives fails here instead of hanging
POLL_S: Final = 0.01
CLOSE_REVOKED: Final = 4401


@pytest.fixture
def engine_name() -> str:
    return "postgres"


@pytest.fixture
def cluster_url(postgres_url: str, db: Database) -> str:
    """The session's PostgreSQL database, emptied by the `db` fixture for this test."""
    require_redis()
    return postgres_url


def _new_token(node: Node, name: str) -> str:
    return node.process.command("token", "create", "--role", "dispatcher", "--name", name)


async def _token_id(node: Node, admin: str, name: str) -> int:
    listed = await node.get(admin, "/api/v1/tokens", kind="token", revoked="false", limit=1000)
    (token_id,) = [token["id"] for token in listed if token["name"] == name]
    return int(token_id)


async def _refused_at(node: Node, token: str) -> float:
    """Ask with the token until it is refused: the moment the refusal arrived."""
    async with node.client(token) as http, asyncio.timeout(GIVE_UP_S):
        while True:
            answer = await http.get("/api/v1/alerts")
            if answer.status_code == httpx.codes.UNAUTHORIZED:
                return time.monotonic()
            assert answer.status_code == httpx.codes.OK, answer.text
            await asyncio.sleep(POLL_S)


async def _closed_at(socket: ClientConnection) -> tuple[float, int | None]:
    """Read until the server closes the socket: when, and with which code."""
    try:
        async with asyncio.timeout(GIVE_UP_S):
            while True:
                await socket.recv()
    except ConnectionClosed as closed:
        return time.monotonic(), None if closed.rcvd is None else closed.rcvd.code
    raise AssertionError("unreachable")


async def _in_use_on_both(a: Node, b: Node, token: str) -> ClientConnection:
    """The token cached on both nodes, and a socket of it open on B."""
    for node in (a, b):
        async with node.client(token) as http:
            assert (await http.get("/api/v1/alerts")).status_code == httpx.codes.OK
    socket, _ = await b.socket("/ws/dispatch", token)
    return socket


async def _delays_after(
    revoked_at: float, a: Node, b: Node, token: str, socket: ClientConnection
) -> dict[str, float]:
    on_a, on_b, (closed, code) = await asyncio.gather(
        _refused_at(a, token), _refused_at(b, token), _closed_at(socket)
    )
    assert code == CLOSE_REVOKED
    return {"A": on_a - revoked_at, "B": on_b - revoked_at, "B socket": closed - revoked_at}


async def test_a_revoked_token_is_refused_on_both_nodes_within_a_second(
    tmp_path: Path, cluster_url: str
) -> None:
    with two_nodes(tmp_path, cluster_url) as (a, b):
        admin = a.token("admin")
        by_api, by_cli = (f"desk-{uuid.uuid4().hex[:8]}" for _ in range(2))
        api_token, cli_token = _new_token(a, by_api), _new_token(a, by_cli)
        api_id, cli_id = [await _token_id(a, admin, name) for name in (by_api, by_cli)]

        socket = await _in_use_on_both(a, b, api_token)
        async with a.client(admin) as http:
            answer = await http.post(f"/api/v1/tokens/{api_id}/revoke")
        revoked_at = time.monotonic()
        assert answer.status_code == httpx.codes.NO_CONTENT, answer.text
        api_delays = await _delays_after(revoked_at, a, b, api_token, socket)

        socket = await _in_use_on_both(a, b, cli_token)
        said = await asyncio.to_thread(a.process.command, "token", "revoke", str(cli_id))
        revoked_at = time.monotonic()
        assert said == f"token {cli_id} revoked"
        cli_delays = await _delays_after(revoked_at, a, b, cli_token, socket)

        listed = await a.get(admin, "/api/v1/tokens", revoked="true")
        print(f"refused after the API's revoke: {api_delays}; after the CLI's: {cli_delays}")

    assert {token["id"] for token in listed} >= {api_id, cli_id}
    for how, delays in (("API", api_delays), ("CLI", cli_delays)):
        late = {
            where: delay_s for where, delay_s in delays.items() if delay_s > MUST_REFUSE_WITHIN_S
        }
        assert not late, f"after the {how} revoke, still let through for: {late}"
