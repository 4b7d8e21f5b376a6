"""An acknowledged alert survives `kill -9` of the server, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from server.db import Database
from server.settings import Settings
from tests.integration.test_server.process import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PRESS = {
    "kind": "panic",
    "lat": 39.6548,
    "lon": 66.9757,
    "address": "Registan",
    "external_id": "button-0001-press-1",
}


async def test_an_alert_whose_post_returned_201_survives_kill_9(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    """`db` starts the database empty; the server process then owns it."""
    server = ServerProcess(tmp_path / "var", settings.database_url)
    dispatcher = server.command("token", "create", "--role", "dispatcher", "--name", "d")
    headers = {"Authorization": f"Bearer {dispatcher}"}
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.http, headers=headers) as client:
            response = await client.post("/api/v1/alerts", json=PRESS)
            assert response.status_code == 201
            alert = response.json()
        server.kill_hard()

        server.start()
        async with httpx.AsyncClient(base_url=server.http, headers=headers) as client:
            stored = (await client.get(f"/api/v1/alerts/{alert['id']}")).json()
            incident = (await client.get(f"/api/v1/incidents/{alert['incident_id']}")).json()
            again = await client.post("/api/v1/alerts", json=PRESS)  # the sender's retry
        assert stored == alert
        assert incident["alert_ids"] == [alert["id"]]
        assert again.status_code == 200
        assert again.json()["id"] == alert["id"]

        async with connect(server.http.replace("http", "ws") + "/ws/dispatch") as socket:
            await socket.send(json.dumps({"type": "hello", "token": dispatcher, "last_seq": 0}))
            welcome = json.loads(await socket.recv())
            replayed = [json.loads(await socket.recv()) for _ in range(welcome["seq"])]
        assert [event["seq"] for event in replayed] == list(range(1, welcome["seq"] + 1))
        alerts = [event for event in replayed if event["type"] == "alert"]
        assert [event["data"]["id"] for event in alerts] == [alert["id"]]
    finally:
        server.stop()
