"""A running node with its tracker listeners and two tokens, for the tracker tests (OsmAnd,
GT06, IoT buttons, Teltonika): register a device at a site, read the API as a dispatcher."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from server.signals.trackers import RunningTrackers, running_trackers
from tests.integration.live import Live, serve

REGISTAN: tuple[float, float] = (39.65, 66.97)


class TrackerRig(msgspec.Struct):
    live: Live
    trackers: RunningTrackers
    admin: str
    dispatcher: str

    def api(self, token: str | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.live.http, headers=self.live.headers(token or self.admin)
        )

    def device_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.trackers.http_port}")

    async def add_device(
        self,
        account: str,
        protocol: str,
        *,
        site_name: str | None = None,
        at: tuple[float, float] = REGISTAN,
    ) -> None:
        """Register the device at a new site of its own (named after it unless told)."""
        async with self.api() as http:
            site = await http.post(
                "/api/v1/sites",
                json={
                    "name": site_name or f"Site {account}",
                    "address": "Registan",
                    "lat": at[0],
                    "lon": at[1],
                },
            )
            body = {"account": account, "protocol": protocol, "site_id": site.json()["id"]}
            made = await http.post("/api/v1/devices", json=body)
            assert made.status_code == 201, made.text

    async def get(self, path: str, **params: Any) -> Any:
        async with self.api(self.dispatcher) as http:
            response = await http.get(path, params={"limit": 1000} | params)
        assert response.status_code == 200, response.text
        return response.json()


@contextlib.asynccontextmanager
async def running_rig(
    settings: Settings, db: Database, **overrides: Any
) -> AsyncIterator[TrackerRig]:
    """A node (no DC-09 receiver) with the tracker listeners `overrides` configures."""
    async with (
        serve(with_overrides(settings, **overrides), db) as live,
        running_trackers(live.state) as trackers,
    ):
        yield TrackerRig(
            live=live,
            trackers=trackers,
            admin=await live.token(Role.ADMIN),
            dispatcher=await live.token(Role.DISPATCHER),
        )
