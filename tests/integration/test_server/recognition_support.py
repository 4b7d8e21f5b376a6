"""Shared pieces of the recognition tests that run the real models on the photos in tests/data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from server.settings import Settings, with_overrides
from tests.eventually import eventually
from tests.integration.live import Live
from tests.integration.test_server.helpers import receive

PROJECT_ROOT = Path(__file__).resolve().parents[3]
WHEEL_DIR = PROJECT_ROOT / "var" / "wheels"
ALERT_WITHIN_S = 2.0


def recognition_settings(settings: Settings, models_dir: Path, **changes: Any) -> Settings:
    """Settings for a server with the models; one frame confirms a match (k = n = 1) unless the
    test asks for a window, so these tests keep testing one frame's way to an alert."""
    return with_overrides(
        settings,
        model_wheel_dir=str(WHEEL_DIR),
        model_dir=str(models_dir),
        **{"recognition_confirm_k": 1, "recognition_confirm_n": 1, **changes},
    )


async def created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def models_loaded(live: Live, token: str, timeout_s: float = 120.0) -> None:
    """Wait until the server has loaded its models (registering a camera starts that)."""
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:

        async def loaded() -> bool:
            return bool((await client.get("/api/v1/recognition/status")).json()["models_loaded"])

        await eventually(loaded, timeout_s=timeout_s, interval_s=0.1)


async def next_alert(socket: ClientConnection, timeout_s: float) -> dict[str, Any]:
    """The next `alert` event, skipping incident and timeline events."""
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        (event,) = await receive(socket, 1, left)
        if event["type"] == "alert":
            data: dict[str, Any] = event["data"]
            return data
    raise TimeoutError("no alert arrived")


async def no_alert(socket: ClientConnection, wait_s: float = 1.0) -> bool:
    try:
        extra = await next_alert(socket, wait_s)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected second alert: {extra!r}")
