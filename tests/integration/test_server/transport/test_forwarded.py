"""The API port as `posbon serve` configures it (server.runner.api_config) behind a reverse
proxy: X-Forwarded-For/-Proto from a peer named in --forwarded-allow make the forwarded client
the one the failed-token limiter counts (server/auth/limits.py) and HTTPS the scheme (so HSTS
is sent, and the session cookie is Secure); without the setting the same headers change nothing
(uvicorn's own default would trust them from 127.0.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

import httpx
import pytest
import uvicorn

from server import runner
from server.accounts.service import create_user
from server.app import Node
from server.auth.schemas import Role
from server.auth.service import create_token
from server.db import Database
from server.relay.bus import InProcessBus
from server.settings import Settings, with_overrides
from server.state import AppState
from tests.integration.live import until_started

pytestmark = pytest.mark.integration

PROXY: Final = "127.0.0.1"
GUESSER: Final = "203.0.113.9"
NEIGHBOUR: Final = "203.0.113.10"
MAX_FAILURES: Final = 2
BLOCK_S: Final = 600.0  # far longer than the test: a block never lapses while it runs
HSTS_MAX_AGE_S: Final = 900
PASSWORD: Final = "correct horse battery staple"  # a test account's
UNKNOWN_TOKEN: Final = "Bearer pb_not-a-token"  # a wrong one, on purpose


def through_proxy(client: str, token: str) -> dict[str, str]:
    """What nginx adds for `client`, which came over HTTPS."""
    return {"Authorization": token, "X-Forwarded-For": client, "X-Forwarded-Proto": "https"}


@contextlib.asynccontextmanager
async def api(settings: Settings, db: Database, forwarded_allow: str) -> AsyncIterator[str]:
    """The API on a free port, as `posbon serve` runs it; its base URL."""
    settings = with_overrides(
        settings,
        http_port=0,
        forwarded_allow=forwarded_allow,
        hsts_max_age_s=HSTS_MAX_AGE_S,
        auth_failures_max=MAX_FAILURES,
        auth_block_s=BLOCK_S,
        totp_required_roles="",  # a password is enough for the cookie test
    )
    state = AppState(settings, db, InProcessBus())
    server = uvicorn.Server(runner.api_config(Node(state)))
    with runner.bind_http(settings) as sock:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            await until_started(server, task)
            yield f"http://{PROXY}:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            await task
            await state.parts.close()


async def guess_until_blocked(http: httpx.AsyncClient) -> list[int]:
    """The guesser presents unknown tokens through the proxy: 401 until it is blocked, then 429."""
    statuses = []
    for _ in range(MAX_FAILURES + 2):
        answer = await http.get("/api/v1/alerts", headers=through_proxy(GUESSER, UNKNOWN_TOKEN))
        statuses.append(answer.status_code)
    return statuses


async def test_a_trusted_proxy_forwards_the_client_and_the_scheme(
    settings: Settings, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    token = "Bearer " + (await create_token(db, "behind-nginx", Role.DISPATCHER)).token
    caplog.set_level(logging.WARNING, logger="server.auth.service")
    async with (
        api(settings, db, forwarded_allow=PROXY) as base,
        httpx.AsyncClient(base_url=base) as http,
    ):
        health = await http.get("/health", headers={"X-Forwarded-Proto": "https"})
        plain = await http.get("/health")
        guessed = await guess_until_blocked(http)
        neighbour = await http.get("/api/v1/alerts", headers=through_proxy(NEIGHBOUR, token))
        guesser = await http.get("/api/v1/alerts", headers=through_proxy(GUESSER, token))

    assert health.headers["strict-transport-security"] == f"max-age={HSTS_MAX_AGE_S}"
    assert "strict-transport-security" not in plain.headers  # the proxy said http: none
    assert guessed == [401] * (MAX_FAILURES + 1) + [429]  # the one past the limit starts the block
    assert neighbour.status_code == 200, neighbour.text  # another client behind the same proxy
    assert guesser.status_code == 429  # blocked by its own address, even with a good token
    assert f"{GUESSER} presented more than {MAX_FAILURES} unknown tokens" in caplog.text


async def test_without_forwarded_allow_the_headers_change_nothing(
    settings: Settings, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    token = "Bearer " + (await create_token(db, "pretending", Role.DISPATCHER)).token
    caplog.set_level(logging.WARNING, logger="server.auth.service")
    async with (
        api(settings, db, forwarded_allow="") as base,
        httpx.AsyncClient(base_url=base) as http,
    ):
        health = await http.get("/health", headers={"X-Forwarded-Proto": "https"})
        guessed = await guess_until_blocked(http)
        neighbour = await http.get("/api/v1/alerts", headers=through_proxy(NEIGHBOUR, token))

    assert "strict-transport-security" not in health.headers  # plain HTTP, whatever it claims
    assert guessed == [401] * (MAX_FAILURES + 1) + [429]  # the one past the limit starts the block
    assert neighbour.status_code == 429  # one address for all: the peer's
    assert f"{PROXY} presented more than {MAX_FAILURES} unknown tokens" in caplog.text
    assert GUESSER not in caplog.text


@pytest.mark.parametrize(("forwarded_allow", "secure"), [(PROXY, True), ("", False)])
async def test_the_session_cookie_is_secure_only_over_https(
    settings: Settings, db: Database, forwarded_allow: str, secure: bool
) -> None:
    async with api(settings, db, forwarded_allow) as base:
        await create_user(
            db,
            with_overrides(settings, totp_required_roles=""),
            username="nodira",
            password=PASSWORD,
            role=Role.ADMIN,
        )
        async with httpx.AsyncClient(base_url=base) as http:
            answer = await http.post(
                "/api/v1/session",
                json={"username": "nodira", "password": PASSWORD},
                headers={"X-Forwarded-For": GUESSER, "X-Forwarded-Proto": "https"},
            )

    assert answer.status_code == 201, answer.text
    cookies = answer.headers.get_list("set-cookie")
    assert cookies
    assert all(("; secure" in cookie.lower()) is secure for cookie in cookies), cookies
