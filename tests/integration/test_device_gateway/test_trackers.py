"""Phones (OsmAnd), GT06 trackers and IoT buttons (webhook and a real Mosquitto) over real
sockets into the real server: answers only after storing, SOS alerts at the reported position,
retransmissions harmless."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt
import httpx
import pytest

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.test_device_gateway.tracker_rig import TrackerRig, running_rig
from tests.integration.test_server.helpers import nothing_more, open_socket, receive
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX, gt06_rows, osmand_rows

pytestmark = pytest.mark.integration
JSON = dict[str, Any]
MQTT_HOST, MQTT_PORT = "127.0.0.1", 1883
SECRET = "s3cret-hook"


@pytest.fixture
async def rig(settings: Settings, db: Database) -> AsyncIterator[TrackerRig]:
    async with running_rig(
        settings,
        db,
        osmand_port=0,
        gt06_port=0,
        teltonika_port=-1,
        iot_webhook_secret=SECRET,
        mqtt_url=f"mqtt://{MQTT_HOST}:{MQTT_PORT}",
    ) as rig:
        yield rig


async def _osmand(rig: TrackerRig, row: JSON) -> httpx.Response:
    headers = {"content-type": row["content_type"]} if "content_type" in row else {}
    async with rig.device_http() as http:
        return await http.request(
            row["method"], row.get("target", "/"), content=row.get("body", ""), headers=headers
        )


async def test_every_real_traccar_request_is_stored_or_refused_as_traccar_does(
    rig: TrackerRig,
) -> None:
    for device in ("123456", "902064", "353861053849681", "48241179"):
        await rig.add_device(device, "osmand")
    statuses = [(await _osmand(rig, row)).status_code for row in osmand_rows()]
    assert statuses == [400 if "no id" in row["expect"] else 200 for row in osmand_rows()]
    stored = await rig.get("/api/v1/signals")
    # Dedup on (id, timestamp, alarm), reference §4.2: rows 5 and 7 repeat row 0's id and
    # time, row 9 is row 8 again as the SDK's JSON upload.
    assert len(stored) == statuses.count(200) - 3
    unknown = {"method": "GET", "target": "/?id=999&lat=1&lon=2"}
    assert (await _osmand(rig, unknown)).status_code == 400


async def test_the_sos_button_raises_one_sos_alert_where_the_phone_is(rig: TrackerRig) -> None:
    await rig.add_device("48241179", "osmand")
    socket, _ = await open_socket(rig.live, "/ws/dispatch", rig.dispatcher)
    sos_row = next(row for row in osmand_rows() if row["kind"] == "form")
    assert (await _osmand(rig, sos_row)).status_code == 200
    events = await receive(socket, 3)
    alert = next(event["data"] for event in events if event["type"] == "alert")
    assert (alert["kind"], alert["source"], alert["priority"]) == ("sos", "osmand", 1)
    assert (alert["site"]["lat"], alert["site"]["lon"]) == (37.4219983, -122.084)
    assert (await _osmand(rig, sos_row)).status_code == 200  # the client's re-upload
    assert len(await rig.get("/api/v1/alerts")) == 1
    await socket.close()


async def _gt06_exchange(rig: TrackerRig, packets: list[bytes]) -> list[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", rig.trackers.gt06_port)
    try:
        acks = []
        for packet in packets:
            writer.write(packet)
            await writer.drain()
            acks.append(await asyncio.wait_for(reader.readexactly(10), 5))
        return acks
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_a_gt06_tracker_gets_each_ack_traccar_expects_and_its_sos_is_an_alert(
    rig: TrackerRig,
) -> None:
    await rig.add_device("353419036066061", "gt06")
    rows = gt06_rows()
    acks = await _gt06_exchange(
        rig, [bytes.fromhex(LOGIN_HEX)] + [bytes.fromhex(r["hex"]) for r in rows]
    )
    assert acks[0].hex() == "787805010003face0d0a"
    assert [ack.hex() for ack in acks[1:]] == [row["expected_ack"] for row in rows]
    alerts = await rig.get("/api/v1/alerts")
    assert {a["kind"] for a in alerts} == {"sos"}
    # the two variant layouts and the derived SOS packet: one emergency of one tracker, so one
    # alert and incident; the repeats are stored and noted with their positions
    assert len(alerts) == 1
    stored = await rig.get("/api/v1/signals")
    assert len(stored) == len(rows)  # rows[0] is the same login again: a retransmission
    assert sum(s["alert_id"] == alerts[0]["id"] for s in stored) == 3


async def test_a_gt06_packet_before_the_login_gets_no_ack(rig: TrackerRig) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", rig.trackers.gt06_port)
    writer.write(bytes.fromhex(gt06_rows()[1]["hex"]))
    writer.write_eof()
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    assert await rig.get("/api/v1/signals") == []


async def _hook(rig: TrackerRig, path: str, body: bytes, secret: str = SECRET) -> httpx.Response:
    async with rig.device_http() as http:
        return await http.post(path, content=body, headers={"x-webhook-secret": secret})


async def test_a_zigbee_sos_webhook_raises_an_sos_alert(rig: TrackerRig) -> None:
    await rig.add_device("gate-7", "http")
    response = await _hook(rig, "/iot/gate-7", b'{"action":"emergency","battery":80}')
    assert response.status_code == 200
    (alert,) = await rig.get("/api/v1/alerts")
    assert (alert["kind"], alert["source"]) == ("sos", "http")


async def test_a_things_stack_uplink_sent_twice_raises_one_alert(rig: TrackerRig) -> None:
    await rig.add_device("sos-17", "http")
    uplink = json.dumps(
        {
            "end_device_ids": {"device_id": "sos-17", "dev_eui": "70B3D57ED005A1B2"},
            "uplink_message": {"f_cnt": 5, "decoded_payload": {"alarm": True}},
        }
    ).encode()
    assert [(await _hook(rig, "/iot", uplink)).status_code for _ in range(2)] == [200, 200]
    assert len(await rig.get("/api/v1/alerts")) == 1
    assert len(await rig.get("/api/v1/signals")) == 1


async def test_a_webhook_without_the_secret_is_refused(rig: TrackerRig) -> None:
    assert (await _hook(rig, "/iot/x", b"{}", secret="wrong")).status_code == 401
    assert (await _hook(rig, "/iot/x", b"not json")).status_code == 400
    assert (await _hook(rig, "/iot/x", b'{"state":"on"}')).status_code == 200
    assert await rig.get("/api/v1/alerts") == []


async def test_an_sos_published_on_the_real_broker_becomes_an_alert(rig: TrackerRig) -> None:
    name = f"posbon-test-{uuid.uuid4().hex[:8]}"
    await rig.add_device(name, "mqtt")
    await asyncio.wait_for(rig.trackers.mqtt_subscribed.wait(), 10)
    async with aiomqtt.Client(MQTT_HOST, MQTT_PORT) as client:
        await client.publish(f"zigbee2mqtt/{name}/availability", b'{"state":"online"}', qos=1)
        await client.publish(f"zigbee2mqtt/{name}", b'{"action":"emergency"}', qos=1)

    async def alerted() -> bool:
        return len(await rig.get("/api/v1/alerts")) == 1

    await eventually(alerted, timeout_s=10)
    (alert,) = await rig.get("/api/v1/alerts")
    assert (alert["kind"], alert["source"]) == ("sos", "mqtt")


async def test_a_crew_phone_moves_its_crew_and_an_older_position_does_not_move_it_back(
    rig: TrackerRig,
) -> None:
    async with rig.api() as http:
        made = await http.post("/api/v1/crews", json={"name": "Crew 7", "members": ["Aziz"]})
        crew_id = made.json()["id"]
        phone = {"account": "tablet-7", "protocol": "osmand", "crew_id": crew_id}
        assert (await http.post("/api/v1/devices", json=phone)).status_code == 201
        nobody = {"account": "tablet-8", "protocol": "osmand", "crew_id": 999_999}
        assert (await http.post("/api/v1/devices", json=nobody)).status_code == 404
    socket, _ = await open_socket(rig.live, "/ws/dispatch", rig.dispatcher)
    now_s = int(time.time())
    async with rig.device_http() as device:
        fresh = f"/?id=tablet-7&lat=39.6542&lon=66.9597&timestamp={now_s}"
        assert (await device.post(fresh)).status_code == 200
        stale = f"/?id=tablet-7&lat=39.7000&lon=67.0000&timestamp={now_s - 600}"
        assert (await device.post(stale)).status_code == 200
    (event,) = [e for e in await receive(socket, 1) if e["type"] == "crew"]
    assert (event["data"]["id"], event["data"]["lat"], event["data"]["lon"]) == (
        crew_id,
        39.6542,
        66.9597,
    )
    assert await nothing_more(socket)  # the older position moved nobody
    crew = await rig.get(f"/api/v1/crews/{crew_id}")
    assert (crew["lat"], crew["lon"]) == (39.6542, 66.9597)
    assert len(await rig.get("/api/v1/signals")) == 2  # both positions are kept
    await socket.close()
