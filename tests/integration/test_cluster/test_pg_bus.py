"""The PostgreSQL LISTEN/NOTIFY bus: selected by a postgresql:// bus URL, it wakes a socket on
another node (with reconciling slowed down, only the bus can deliver in time) and reports
itself reachable."""

from __future__ import annotations

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.relay.pg_bus import PostgresBus
from server.relay.redis_bus import make_bus
from server.settings import Settings, with_overrides
from tests.integration.live import serve
from tests.integration.test_server.helpers import open_socket, post_alert, receive

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
NO_RECONCILE_S = 3600.0


@pytest.fixture
def engine_name() -> str:
    return "postgres"


async def test_an_alert_on_one_node_reaches_a_socket_on_another_through_notify(
    settings: Settings, db: Database
) -> None:
    slow = with_overrides(settings, relay_reconcile_s=NO_RECONCILE_S)
    bus_a = make_bus(settings.database_url)
    assert isinstance(bus_a, PostgresBus)
    async with (
        serve(slow, db, bus_a) as node_a,
        serve(slow, Database(db.engine), PostgresBus(settings.database_url)) as node_b,
    ):
        dispatcher = await node_a.token(Role.DISPATCHER)
        socket_b, welcome = await open_socket(node_b, "/ws/dispatch", dispatcher)
        async with httpx.AsyncClient(base_url=node_b.http) as client:
            ready = await client.get("/ready")
        alert = await post_alert(node_a, dispatcher)
        events = await receive(socket_b, 3, timeout_s=10)
        await socket_b.close()
    assert ready.json() == {
        "status": "ready",
        "database": "ok",
        "bus": "ok",
        "evidence": "ok",
        "failed": [],
    }
    assert [event["seq"] for event in events] == list(range(welcome["seq"] + 1, welcome["seq"] + 4))
    assert events[0]["data"]["id"] == alert["id"]
