"""A token revoked where no doorbell reaches this server (another process on the same database,
a bus that was down) stops working over HTTP without waiting out the token cache."""

from __future__ import annotations

from typing import Final

import httpx
import pytest

from server.auth import repository as tokens
from server.auth.schemas import Role
from server.auth.service import TOKEN_CACHE_S, create_token
from tests.eventually import eventually
from tests.integration.live import Live

pytestmark = pytest.mark.integration

DEADLINE_S: Final = TOKEN_CACHE_S / 2
"""Well inside the cache's lifetime: refused by then means the cache was not waited out."""


async def test_a_cached_token_revoked_without_a_doorbell_is_refused_soon(live: Live) -> None:
    issued = await create_token(live.state.db, "desk-elsewhere", Role.DISPATCHER)
    kept = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http) as client:
        first = await client.get("/api/v1/sites", headers=live.headers(issued.token))
        assert first.status_code == 200  # the token is in the cache from now on
        await tokens.revoke(
            live.state.db, issued.id
        )  # what `posbon token revoke` does, minus any doorbell

        async def refused() -> httpx.Response:
            status = await client.get("/api/v1/sites", headers=live.headers(issued.token))
            assert status.status_code != 200, "the revoked token still works"
            return status

        status = await eventually(refused, timeout_s=DEADLINE_S)
        other = await client.get("/api/v1/sites", headers=live.headers(kept))
    assert status.status_code == 401
    assert status.json()["code"] == "token_invalid"
    assert other.status_code == 200
