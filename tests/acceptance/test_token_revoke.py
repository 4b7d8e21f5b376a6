"""`posbon token revoke`, run as its own process beside the served one (its doorbell reaches the
server only in the Redis variant, whose bus URL the command shares), yet the token is refused
over HTTP within a few seconds (well before the token cache would have let it go) and its open
/ws/dispatch socket is closed with 4401."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Final

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.acceptance.clients import say_hello
from tests.acceptance.support import ServedPosbon
from tests.eventually import eventually

pytestmark = pytest.mark.acceptance

DEADLINE_S: Final = 5.0
"""Half the server's 10 s token cache: refused by then means the cache was not waited out."""
CLOSE_REVOKED: Final = 4401
PAGE: Final = 100


async def _token_id(served: ServedPosbon, name: str) -> int:
    """The id `GET /api/v1/tokens` gives the token called `name` (the CLI prints only the
    secret)."""
    async with served.api(served.token("admin")) as http:
        offset = 0
        while page := (await http.get(f"/api/v1/tokens?limit={PAGE}&offset={offset}")).json():
            for listed in page:
                if listed["name"] == name:
                    return int(listed["id"])
            offset += PAGE
    raise AssertionError(f"no token called {name} is listed")


async def _status_within(served: ServedPosbon, token: str, deadline: float) -> int:
    """Ask with the token until it is refused; the refusal's status (fails at the deadline)."""
    async with served.api(token) as http:

        async def refused() -> int:
            status = (await http.get("/api/v1/alerts")).status_code
            return 0 if status == httpx.codes.OK else status

        return await eventually(refused, timeout_s=max(0.0, deadline - time.monotonic()))


async def _read_until_closed(socket: ClientConnection, deadline: float) -> None:
    """Read (events of other tests may come first) until the server closes the socket."""
    while True:
        await asyncio.wait_for(socket.recv(), max(0.0, deadline - time.monotonic()))


async def test_a_token_revoked_by_the_command_is_refused_and_its_socket_closed(
    served: ServedPosbon,
) -> None:
    name = f"acceptance-revoked-{uuid.uuid4().hex[:8]}"
    token = served.cli("token", "create", "--role", "dispatcher", "--name", name)
    token_id = await _token_id(served, name)
    socket, _ = await say_hello(served, "/ws/dispatch", token)
    async with served.api(token) as http:
        assert (await http.get("/api/v1/alerts")).status_code == 200  # cached from now on

    revoked = await asyncio.to_thread(served.cli, "token", "revoke", str(token_id))
    deadline = time.monotonic() + DEADLINE_S
    assert revoked == f"token {token_id} revoked"

    assert await _status_within(served, token, deadline) == httpx.codes.UNAUTHORIZED
    with pytest.raises(ConnectionClosed) as closed:
        await _read_until_closed(socket, deadline)
    assert closed.value.rcvd is not None, "the socket was not closed by the server"
    assert closed.value.rcvd.code == CLOSE_REVOKED
