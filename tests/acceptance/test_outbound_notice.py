"""Outbound notices through `posbon serve`: a key-holder's SMS over SMPP to a gateway that is
down at first (the notice waits, pending, and is retried), then back (submitted, and the
delivery receipt on the incident's timeline); a duty desk's Telegram message over the Bot API.
The gateway and the Bot API are the test suite's stand-ins, each speaking its real protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.acceptance.support import ServedPosbon
from tests.eventually import eventually
from tests.smpp_server import Smsc, running_smsc
from tests.telegram_stub import BotApi, running_bot_api

pytestmark = pytest.mark.acceptance

DUTY_DESK_CHAT = "-100777"


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[tuple[Smsc, BotApi]]:
    with running_smsc() as smsc, running_bot_api() as bot:
        yield smsc, bot


@pytest.fixture(scope="module")
def notifying(
    tmp_path_factory: pytest.TempPathFactory, stand_ins: tuple[Smsc, BotApi]
) -> Iterator[ServedPosbon]:
    smsc, bot = stand_ins
    smsc.down = True
    args = [
        *("--smpp-host", "127.0.0.1", "--smpp-port", str(smsc.port)),
        *("--smpp-system-id", smsc.system_id, "--smpp-password", smsc.password),
        *("--telegram-api-url", bot.url, "--telegram-bot-token", bot.token),
        *("--notify-duty-desk-chat-id", DUTY_DESK_CHAT, "--notify-language", "ru"),
        *("--notify-retry-first-s", "0.2", "--notify-retry-max-s", "0.5"),
        *("--notify-poll-s", "0.1", "--lease-check-s", "0.2"),
    ]
    root = tmp_path_factory.mktemp("notify")
    with ServedPosbon(root, args=args, name="serve with notices") as node:
        node.token("admin")  # made before the start: the CLI creates the schema
        node.token("dispatcher")
        node.start()
        yield node


async def _incident_with_keyholder(node: ServedPosbon, site_name: str) -> tuple[int, int]:
    async with node.api(node.token("admin")) as admin:
        site = (await admin.post("/api/v1/sites", json={"name": site_name})).json()
        contact = await admin.post(
            f"/api/v1/sites/{site['id']}/contacts",
            json={"name": "Aziza", "phones": ["+998 93 555 01 02"], "languages": ["uz"]},
        )
        assert contact.status_code == 201, contact.text
    async with node.api(node.token("dispatcher")) as dispatcher:
        alert = await dispatcher.post(
            "/api/v1/alerts", json={"kind": "panic", "site_id": site["id"]}
        )
        assert alert.status_code in (200, 201), alert.text
    return int(alert.json()["incident_id"]), int(contact.json()["id"])


async def _get(node: ServedPosbon, path: str) -> Any:
    async with node.api(node.token("dispatcher")) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def _notice_kinds(node: ServedPosbon, incident_id: int) -> list[str]:
    entries = await _get(node, f"/api/v1/incidents/{incident_id}/timeline")
    return [entry["kind"] for entry in entries if entry["kind"].startswith("notice_")]


async def test_a_keyholder_sms_waits_out_a_gateway_outage_and_its_receipt_lands(
    notifying: ServedPosbon, stand_ins: tuple[Smsc, BotApi]
) -> None:
    smsc, _ = stand_ins
    incident_id, contact_id = await _incident_with_keyholder(notifying, "Xalq banki 3")
    async with notifying.api(notifying.token("dispatcher")) as dispatcher:
        response = await dispatcher.post(
            f"/api/v1/incidents/{incident_id}/notifications",
            json={"channel": "sms", "contact_id": contact_id},
        )
    assert response.status_code == 202, response.text
    notice_id = response.json()["id"]

    async def pending_and_retried() -> bool:
        pending = await _get(notifying, "/api/v1/notifications?state=pending")
        mine = [notice for notice in pending if notice["id"] == notice_id]
        assert mine, pending
        return bool(mine[0]["attempts"] >= 2)

    await eventually(pending_and_retried, timeout_s=20)
    assert "notice_retrying" in await _notice_kinds(notifying, incident_id)
    assert smsc.refused_connections > 0

    smsc.down = False
    sent = await eventually(smsc.messages, timeout_s=20)
    assert sent[0].destination == "998935550102"
    assert sent[0].text.startswith("Xavotir: Xalq banki 3 obyektida tashvish tugmasi")

    async def submitted() -> bool:
        return "notice_submitted" in await _notice_kinds(notifying, incident_id)

    await eventually(submitted, timeout_s=10)
    smsc.deliver_receipts()

    async def delivered() -> list[str]:
        kinds = await _notice_kinds(notifying, incident_id)
        assert kinds[-1] == "notice_delivered"
        return kinds

    kinds = await eventually(delivered, timeout_s=10)
    assert kinds[0] == "notice_queued"
    [notice] = await _get(notifying, f"/api/v1/incidents/{incident_id}/notifications")
    assert (notice["state"], notice["provider_id"]) == ("delivered", sent[0].message_id)


async def test_the_duty_desk_gets_a_telegram_message_in_the_default_language(
    notifying: ServedPosbon, stand_ins: tuple[Smsc, BotApi]
) -> None:
    _, bot = stand_ins
    incident_id, _ = await _incident_with_keyholder(notifying, "Xalq banki 4")
    async with notifying.api(notifying.token("dispatcher")) as dispatcher:
        response = await dispatcher.post(
            f"/api/v1/incidents/{incident_id}/notifications",
            json={"channel": "telegram", "duty_desk": True},
        )
    assert response.status_code == 202, response.text

    async def delivered() -> bool:
        return "notice_delivered" in await _notice_kinds(notifying, incident_id)

    await eventually(delivered, timeout_s=10)
    [message] = [m for m in bot.messages() if m.chat_id == DUTY_DESK_CHAT]
    assert message.text.startswith("Тревога на объекте Xalq banki 4: тревожная кнопка")


def test_the_server_with_notices_stops_cleanly(notifying: ServedPosbon) -> None:
    notifying.stop()
    notifying.assert_clean_exit()
