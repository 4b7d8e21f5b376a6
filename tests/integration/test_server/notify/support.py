"""A site with a key-holder and an alarm at it, and the calls the notice tests make."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from server.auth.schemas import Role
from server.settings import Settings, with_overrides
from tests.integration.live import Live
from tests.integration.test_server.helpers import post_alert
from tests.smpp_server import Smsc
from tests.telegram_stub import BotApi

KEYHOLDER_PHONE = "+998 90 123-45-67"
KEYHOLDER_CHAT = "424242"


class Scene(msgspec.Struct):
    dispatcher: str
    incident_id: int
    contact_id: int


def notifying(settings: Settings, smsc: Smsc | None = None, bot: BotApi | None = None) -> Settings:
    """Settings whose notices go to the stand-ins, with short waits."""
    changes: dict[str, Any] = {
        "notify_poll_s": 0.05,
        "notify_retry_first_s": 0.2,
        "notify_retry_max_s": 0.4,
        "lease_check_s": 0.1,
        "notify_duty_desk_phone": "+998 71 102",
    }
    if smsc is not None:
        changes |= {
            "smpp_host": "127.0.0.1",
            "smpp_port": smsc.port,
            "smpp_system_id": smsc.system_id,
            "smpp_password": smsc.password,
        }
    if bot is not None:
        changes |= {"telegram_api_url": bot.url, "telegram_bot_token": bot.token}
    return with_overrides(settings, **changes)


async def bank_alarm(live: Live, languages: list[str]) -> Scene:
    admin = await live.token(Role.ADMIN)
    dispatcher = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        site = await client.post("/api/v1/sites", json={"name": "Bank 7", "kind": "bank"})
        assert site.status_code == 201, site.text
        site_id = site.json()["id"]
        contact = await client.post(
            f"/api/v1/sites/{site_id}/contacts",
            json={
                "name": "Dilshod Karimov",
                "phones": [KEYHOLDER_PHONE],
                "languages": languages,
                "telegram_chat_id": KEYHOLDER_CHAT,
            },
        )
        assert contact.status_code == 201, contact.text
    alert = await post_alert(live, dispatcher, kind="intrusion", site_id=site_id)
    return Scene(
        dispatcher=dispatcher, incident_id=alert["incident_id"], contact_id=contact.json()["id"]
    )


async def notify(live: Live, scene: Scene, **body: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(scene.dispatcher)) as c:
        return await c.post(f"/api/v1/incidents/{scene.incident_id}/notifications", json=body)


async def get_json(live: Live, scene: Scene, path: str) -> Any:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(scene.dispatcher)) as c:
        response = await c.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def timeline_kinds(live: Live, scene: Scene) -> list[str]:
    entries = await get_json(live, scene, f"/api/v1/incidents/{scene.incident_id}/timeline")
    return [entry["kind"] for entry in entries if entry["kind"].startswith("notice_")]
