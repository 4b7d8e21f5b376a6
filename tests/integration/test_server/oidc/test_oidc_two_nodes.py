"""A sign-in started on one node finishes on the other: the flow travels in the browser's
sealed cookie, keyed by the client secret both nodes share, not in one node's memory.

PostgreSQL: two nodes share a database the way a cluster does (test_oidc_sign_in.py covers
SQLite with one node)."""

from __future__ import annotations

import httpx
import pytest

from server.db import Database
from server.settings import Settings
from tests.integration.live import serve
from tests.integration.test_server.oidc.conftest import SsoNode
from tests.integration.test_server.oidc.provider import to_callback

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def engine_name() -> str:
    return "postgres"


async def test_the_other_node_finishes_a_sign_in(
    sso: SsoNode, sso_settings: Settings, db: Database
) -> None:
    node_a = sso.live
    async with (
        serve(sso_settings, Database(db.engine)) as node_b,
        httpx.AsyncClient() as browser,
    ):
        callback = await to_callback(browser, node_a.http, "ana")
        # The balancer sends the provider's answer to node B (cookies know no port).
        answer = await browser.get(callback.replace(node_a.http, node_b.http, 1))
        assert answer.status_code == 302, answer.text
        whoami = await browser.get(node_b.http + "/api/v1/session")
        assert whoami.json()["user"]["username"] == "ana"
        assert (await browser.get(node_a.http + "/api/v1/session")).status_code == 200
