"""The relay's promises, with real websockets clients on a real port, on both engines."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.integration.live import Live, serve
from tests.integration.test_server.helpers import (
    create_crew,
    dispatch,
    nothing_more,
    open_socket,
    post_alert,
    receive,
)

pytestmark = pytest.mark.integration


async def _dispatch_many(live: Live, count: int, crew_id: int) -> None:
    dispatcher = await live.token(Role.DISPATCHER)
    for _ in range(count):
        alert = await post_alert(live, dispatcher)
        await dispatch(live, dispatcher, alert["incident_id"], crew_id)


async def test_new_alert_reaches_a_connected_dispatcher(live: Live) -> None:
    dispatcher = await live.token(Role.DISPATCHER)
    socket, welcome = await open_socket(live, "/ws/dispatch", dispatcher, last_seq=None)
    alert = await post_alert(live, dispatcher)
    events = await receive(socket, 3)
    assert sorted(event["type"] for event in events) == ["alert", "incident", "timeline"]
    sent = next(event for event in events if event["type"] == "alert")
    assert sent["data"]["id"] == alert["id"]
    for key in ("id", "kind", "priority", "source", "site", "occurred_at", "received_at"):
        assert key in sent["data"]
    assert [event["seq"] for event in events] == list(range(welcome["seq"] + 1, welcome["seq"] + 4))
    assert await nothing_more(socket)
    await socket.close()


async def test_crew_socket_that_missed_50_events_gets_exactly_those_in_order_once(
    live: Live,
) -> None:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Berkut-1", 39.65, 66.96)
    tablet = await live.token(Role.CREW, crew_id)
    socket, welcome = await open_socket(live, "/ws/crew", tablet, last_seq=None)
    last_seq = welcome["seq"]
    await socket.close()

    await _dispatch_many(live, 50, crew_id)

    socket, welcome = await open_socket(live, "/ws/crew", tablet, last_seq=last_seq)
    assert welcome["seq"] == last_seq + 50
    events = await receive(socket, 50)
    assert [event["seq"] for event in events] == list(range(last_seq + 1, last_seq + 51))
    assert {event["type"] for event in events} == {"dispatch"}
    assert len({event["data"]["incident"]["id"] for event in events}) == 50
    assert await nothing_more(socket)
    await socket.close()


async def test_a_socket_too_far_behind_is_told_to_resync(settings: Settings, db: Database) -> None:
    small = with_overrides(settings, relay_replay_max=10)
    async with serve(small, db) as live:
        admin = await live.token(Role.ADMIN)
        crew_id = await create_crew(live, admin, "Berkut-2", 39.65, 66.96)
        tablet = await live.token(Role.CREW, crew_id)
        await _dispatch_many(live, 11, crew_id)
        socket, welcome = await open_socket(live, "/ws/crew", tablet, last_seq=0)
        (resync,) = await receive(socket, 1)
        assert resync["type"] == "resync"
        assert resync["seq"] == welcome["seq"] == 11
        await _dispatch_many(live, 1, crew_id)
        (live_event,) = await receive(socket, 1)
        assert live_event["seq"] == 12
        await socket.close()


async def test_live_events_follow_the_replay_without_gaps_or_repeats(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    crew_id = await create_crew(live, admin, "Berkut-3", 39.65, 66.96)
    tablet = await live.token(Role.CREW, crew_id)
    await _dispatch_many(live, 5, crew_id)
    socket, _ = await open_socket(live, "/ws/crew", tablet, last_seq=2)
    await _dispatch_many(live, 5, crew_id)
    events = await receive(socket, 8)
    assert [event["seq"] for event in events] == list(range(3, 11))
    assert await nothing_more(socket)
    await socket.close()


async def test_the_same_status_op_id_three_times_makes_one_timeline_entry(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    crew_id = await create_crew(live, admin, "Berkut-4", 39.65, 66.96)
    alert = await post_alert(live, dispatcher)
    incident_id = alert["incident_id"]
    await dispatch(live, dispatcher, incident_id, crew_id)
    tablet = await live.token(Role.CREW, crew_id)
    socket, _ = await open_socket(live, "/ws/crew", tablet, last_seq=None)
    message = {
        "type": "status",
        "incident_id": incident_id,
        "status": "acknowledged",
        "op_id": "0190c1a2-0000-7000-8000-000000000001",
    }
    results = []
    for _ in range(3):
        await socket.send(json.dumps(message))
        while True:
            reply = json.loads(await socket.recv())
            if reply["type"] == "status_result":
                results.append(reply)
                break
    assert all(result["ok"] for result in results)
    assert {result["incident"]["status"] for result in results} == {"acknowledged"}
    await socket.close()
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as client:
        entries = (await client.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
        check = (await client.get(f"/api/v1/incidents/{incident_id}/timeline/verify")).json()
    acknowledged = [entry for entry in entries if entry["to_status"] == "acknowledged"]
    assert len(acknowledged) == 1
    assert acknowledged[0]["actor"].startswith("crew:")
    assert check["intact"] is True


async def test_delivery_receipt_goes_on_the_timeline_once(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    crew_id = await create_crew(live, admin, "Berkut-5", 39.65, 66.96)
    tablet = await live.token(Role.CREW, crew_id)
    socket, _ = await open_socket(live, "/ws/crew", tablet, last_seq=None)
    alert = await post_alert(live, dispatcher)
    await dispatch(live, dispatcher, alert["incident_id"], crew_id)
    (sent,) = await receive(socket, 1)
    assert sent["type"] == "dispatch"
    for _ in range(2):
        await socket.send(json.dumps({"type": "ack", "seq": sent["seq"]}))
    await socket.send(json.dumps({"type": "heartbeat"}))
    (pong,) = await receive(socket, 1)
    assert pong["type"] == "pong"
    await socket.close()
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as client:
        entries = (await client.get(f"/api/v1/incidents/{alert['incident_id']}/timeline")).json()
    assert [entry["kind"] for entry in entries].count("delivered") == 1


@pytest.mark.parametrize(
    ("path", "role", "code"),
    [
        ("/ws/crew", Role.DISPATCHER, 4403),
        ("/ws/dispatch", Role.CREW, 4403),
        ("/ws/dispatch", None, 4401),
    ],
)
async def test_sockets_refuse_bad_or_wrong_tokens(
    live: Live, path: str, role: Role | None, code: int
) -> None:
    from websockets.asyncio.client import connect  # noqa: PLC0415

    token = "pb_not-a-real-token"
    if role is Role.CREW:
        admin = await live.token(Role.ADMIN)
        token = await live.token(role, await create_crew(live, admin, "Berkut-6", 39.6, 66.9))
    elif role is not None:
        token = await live.token(role)
    async with connect(live.ws + path) as socket:
        await socket.send(json.dumps({"type": "hello", "token": token, "last_seq": None}))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == code


async def test_a_stalled_socket_is_cut_off_and_the_others_keep_up(
    settings: Settings, db: Database
) -> None:
    """A stalled sender (its tablet stopped reading) fills its bounded queue and is marked for
    disconnection; a healthy socket on the same stream receives every event regardless, and the
    stalled tablet later resumes from its last_seq without loss."""
    small = with_overrides(settings, relay_queue_max=4)
    async with serve(small, db) as live:
        admin = await live.token(Role.ADMIN)
        crew_id = await create_crew(live, admin, "Berkut-7", 39.65, 66.96)
        tablet = await live.token(Role.CREW, crew_id)
        stalled = await live.state.hub.subscribe(f"crew:{crew_id}")
        healthy, welcome = await open_socket(live, "/ws/crew", tablet)
        await _dispatch_many(live, 12, crew_id)
        events = await receive(healthy, 12)
        assert [event["seq"] for event in events] == list(range(1, 13))
        assert stalled.overflowed
        live.state.hub.unsubscribe(stalled)
        resumed, _ = await open_socket(live, "/ws/crew", tablet, last_seq=welcome["seq"])
        assert [event["seq"] for event in await receive(resumed, 12)] == list(range(1, 13))
        await healthy.close()
        await resumed.close()
