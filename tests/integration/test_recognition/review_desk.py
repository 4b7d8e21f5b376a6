"""A review desk on a live server: an admin, a dispatcher and one camera, for the recognition
review tests (faces and plates)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.recognition_support import created


class Desk:
    """An admin, a dispatcher and a camera on one live server."""

    def __init__(self, live: Live, admin: httpx.AsyncClient, dispatcher: httpx.AsyncClient):
        self.live, self.admin, self.dispatcher = live, admin, dispatcher
        self.camera_id = 0
        self.camera_token = ""

    async def push(self, photo: bytes) -> list[int]:
        response = await self.admin.post(
            f"/api/v1/cameras/{self.camera_id}/frames",
            content=photo,
            headers=self.live.headers(self.camera_token),
        )
        assert response.status_code == 200, response.text
        alerts: list[int] = response.json()["alerts"]
        return alerts

    async def review(self, alert_id: int, body: dict[str, Any]) -> httpx.Response:
        return await self.dispatcher.post(f"/api/v1/recognitions/{alert_id}/review", json=body)

    async def audit_actors(self, action: str) -> list[str]:
        """Who the audit log names for each entry of `action`, oldest first."""
        response = await self.admin.get("/api/v1/audit", params={"action": action})
        assert response.status_code == 200, response.text
        return [entry["actor"] for entry in reversed(response.json()) if entry["action"] == action]

    async def recent(self, status: str) -> list[dict[str, Any]]:
        response = await self.dispatcher.get(
            "/api/v1/recognitions/recent", params={"status": status}
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()
        return items


@asynccontextmanager
async def staffed(live: Live, camera: dict[str, Any]) -> AsyncIterator[Desk]:
    """A desk whose camera is created from `camera` (name, kind, cooldown)."""
    admin_token, dispatcher_token = await live.token(Role.ADMIN), await live.token(Role.DISPATCHER)
    async with (
        httpx.AsyncClient(base_url=live.http, headers=live.headers(admin_token), timeout=120) as a,
        httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher_token)) as d,
    ):
        desk = Desk(live, a, d)
        desk.camera_id = (await created(a, "/api/v1/cameras", camera))["id"]
        desk.camera_token = await live.token(Role.CAMERA)
        yield desk
