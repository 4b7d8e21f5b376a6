"""Two nodes on one PostgreSQL database with a Redis bus: an alert raised on one node reaches a
socket held by the other, and a node that missed the doorbell catches up by itself."""

from __future__ import annotations

import contextlib
import os
import socket

import pytest

from server.auth.schemas import Role
from server.db import Database
from server.relay.redis_bus import RedisBus
from server.settings import Settings, with_overrides
from tests.integration.live import serve
from tests.integration.test_server.helpers import open_socket, post_alert, receive

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

REDIS_URL = os.environ.get("POSBON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), timeout=1):
        return True
    return False


@pytest.fixture
def engine_name() -> str:
    return "postgres"


@pytest.fixture
def redis_url() -> str:
    if not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI must start it)")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return REDIS_URL


async def test_an_alert_raised_on_one_node_reaches_a_socket_on_another(
    settings: Settings, db: Database, redis_url: str
) -> None:
    other = Database(db.engine)  # the second node: same database, its own commit hooks
    async with (
        serve(settings, db, RedisBus(redis_url)) as node_a,
        serve(settings, other, RedisBus(redis_url)) as node_b,
    ):
        dispatcher = await node_a.token(Role.DISPATCHER)
        socket_b, welcome = await open_socket(node_b, "/ws/dispatch", dispatcher)
        alert = await post_alert(node_a, dispatcher)
        events = await receive(socket_b, 3, timeout_s=5)
        assert [event["seq"] for event in events] == list(
            range(welcome["seq"] + 1, welcome["seq"] + 4)
        )
        assert events[0]["type"] == "alert"
        assert events[0]["data"]["id"] == alert["id"]
        await socket_b.close()


async def test_a_node_whose_doorbell_is_lost_catches_up_by_reconciling(
    settings: Settings, db: Database
) -> None:
    quick = with_overrides(settings, relay_reconcile_s=0.2)
    other = Database(db.engine)
    dead_bus = RedisBus("redis://127.0.0.1:1/0")  # nothing listens there: every ring is lost
    async with serve(quick, db) as node_a, serve(quick, other, dead_bus) as node_b:
        dispatcher = await node_a.token(Role.DISPATCHER)
        socket_b, _ = await open_socket(node_b, "/ws/dispatch", dispatcher)
        alert = await post_alert(node_a, dispatcher)
        events = await receive(socket_b, 3, timeout_s=5)
        assert events[0]["data"]["id"] == alert["id"]
        await socket_b.close()
