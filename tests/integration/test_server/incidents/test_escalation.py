"""Unacknowledged dispatches are re-sent at 30 s and escalated at 60 s, even across a restart."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from server.auth.schemas import Role
from server.db import Database, open_database
from server.incidents import deadlines, timeline
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM, crew_stream
from server.settings import Settings, with_overrides
from tests.integration.live import serve
from tests.integration.test_server.helpers import (
    create_crew,
    dispatch,
    open_socket,
    post_alert,
    receive,
)

pytestmark = pytest.mark.integration


async def test_an_unacknowledged_dispatch_is_resent_then_escalated_with_the_next_crew(
    settings: Settings, db: Database
) -> None:
    fast = with_overrides(
        settings, dispatch_resend_s=0.3, dispatch_escalate_s=0.6, deadline_poll_s=0.05
    )
    async with serve(fast, db) as live:
        admin = await live.token(Role.ADMIN)
        dispatcher = await live.token(Role.DISPATCHER)
        near = await create_crew(live, admin, "Berkut-1", 39.6550, 66.9760)
        farther = await create_crew(live, admin, "Berkut-2", 39.6700, 66.9400)
        await create_crew(live, admin, "Berkut-3", 39.7000, 66.8000)
        alert = await post_alert(live, dispatcher)
        tablet = await live.token(Role.CREW, near)
        crew_socket, _ = await open_socket(live, "/ws/crew", tablet)
        desk, _ = await open_socket(live, "/ws/dispatch", dispatcher)
        await dispatch(live, dispatcher, alert["incident_id"], near)

        first, *rest = await receive(crew_socket, 2)
        assert first["type"] == "dispatch"
        dispatches = [event for event in [first, *rest] if event["type"] == "dispatch"]
        while len(dispatches) < 2:
            (event,) = await receive(crew_socket, 1)
            if event["type"] == "dispatch":
                dispatches.append(event)
        assert dispatches[1]["data"]["resend"] is True

        escalation = None
        while escalation is None:
            (event,) = await receive(desk, 1)
            if event["type"] == "escalation":
                escalation = event["data"]
        assert escalation["incident_id"] == alert["incident_id"]
        assert escalation["crew_id"] == near
        assert escalation["proposed"]["crew_id"] == farther
        kinds = [entry.kind for entry in await timeline.entries(db, alert["incident_id"])]
        assert kinds.count("dispatch_resent") == 1
        assert kinds.count("escalated") == 1
        await crew_socket.close()
        await desk.close()


async def test_an_acknowledged_dispatch_is_neither_resent_nor_escalated(
    settings: Settings, db: Database
) -> None:
    async with serve(settings, db) as live:
        admin = await live.token(Role.ADMIN)
        dispatcher = await live.token(Role.DISPATCHER)
        crew_id = await create_crew(live, admin, "Berkut-4", 39.65, 66.97)
        alert = await post_alert(live, dispatcher)
        await dispatch(live, dispatcher, alert["incident_id"], crew_id)
        tablet = await live.token(Role.CREW, crew_id)
        socket, _ = await open_socket(live, "/ws/crew", tablet)
        message = {
            "type": "status",
            "incident_id": alert["incident_id"],
            "status": "acknowledged",
            "op_id": "ack-op-000001",
        }
        await socket.send(json.dumps(message))
        await socket.close()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    await deadlines.check_once(db, later)
    kinds = [entry.kind for entry in await timeline.entries(db, alert["incident_id"])]
    assert "dispatch_resent" not in kinds
    assert "escalated" not in kinds


async def test_stored_deadlines_fire_after_a_restart(settings: Settings, db: Database) -> None:
    async with serve(settings, db) as live:
        admin = await live.token(Role.ADMIN)
        dispatcher = await live.token(Role.DISPATCHER)
        crew_id = await create_crew(live, admin, "Berkut-5", 39.65, 66.97)
        alert = await post_alert(live, dispatcher)
        await dispatch(live, dispatcher, alert["incident_id"], crew_id)
    await db.close()

    restarted = await open_database(settings)
    try:
        crew_head = await outbox.head(restarted, crew_stream(crew_id))
        now = dt.datetime.now(dt.UTC)
        await deadlines.check_once(restarted, now + dt.timedelta(seconds=10))
        assert await outbox.head(restarted, crew_stream(crew_id)) == crew_head
        await deadlines.check_once(restarted, now + dt.timedelta(seconds=31))
        assert await outbox.head(restarted, crew_stream(crew_id)) == crew_head + 1
        await deadlines.check_once(restarted, now + dt.timedelta(seconds=61))
        await deadlines.check_once(restarted, now + dt.timedelta(seconds=62))
        events = await outbox.read_after(restarted, DISPATCH_STREAM, 0, 1000)
        assert [event.type for event in events].count("escalation") == 1
    finally:
        await restarted.close()
