"""Notices to key-holders over real SMPP and the Bot API, on SQLite and PostgreSQL: stored
before the answer, sent by the sender part, receipts and retries on the incident's timeline."""

from __future__ import annotations

import pytest

from server.db import Database
from server.settings import Settings
from tests.eventually import eventually
from tests.integration.live import serve
from tests.integration.test_server.notify.support import (
    KEYHOLDER_CHAT,
    bank_alarm,
    get_json,
    notify,
    notifying,
    timeline_kinds,
)
from tests.smpp_server import running_smsc
from tests.telegram_stub import BotApi, running_bot_api

pytestmark = pytest.mark.integration


async def test_a_keyholder_sms_is_submitted_and_its_receipt_is_on_the_timeline(
    settings: Settings, db: Database
) -> None:
    with running_smsc() as smsc:
        async with serve(notifying(settings, smsc), db) as live:
            scene = await bank_alarm(live, ["ru", "uz"])
            response = await notify(live, scene, channel="sms", contact_id=scene.contact_id)
            assert response.status_code == 202, response.text
            notice = response.json()
            assert notice["state"] == "pending"
            assert notice["language"] == "ru"
            assert notice["address"] == "998901234567"
            assert notice["body"].startswith("Тревога на объекте Bank 7: проникновение")

            sent = await eventually(smsc.messages)
            assert [(m.destination, m.text) for m in sent] == [("998901234567", notice["body"])]
            path = f"/api/v1/incidents/{scene.incident_id}/notifications"

            async def submitted() -> bool:
                return bool((await get_json(live, scene, path))[0]["state"] == "submitted")

            await eventually(submitted)
            smsc.deliver_receipts()

            async def delivered() -> list[str]:
                kinds = await timeline_kinds(live, scene)
                assert "notice_delivered" in kinds
                return kinds

            kinds = await eventually(delivered)
            assert kinds == ["notice_queued", "notice_submitted", "notice_delivered"]
            [stored] = await get_json(live, scene, path)
            assert stored["provider_id"] == sent[0].message_id
            assert stored["attempts"] == 1


async def test_a_notice_waits_pending_while_the_gateway_is_down_and_goes_once_it_is_back(
    settings: Settings, db: Database
) -> None:
    with running_smsc() as smsc:
        smsc.down = True
        async with serve(notifying(settings, smsc), db) as live:
            scene = await bank_alarm(live, ["uz"])
            response = await notify(live, scene, channel="sms", duty_desk=True)
            assert response.status_code == 202, response.text
            notice_id = response.json()["id"]

            async def retried_and_pending() -> bool:
                pending = await get_json(live, scene, "/api/v1/notifications?state=pending")
                assert [n["id"] for n in pending] == [notice_id]
                return bool(pending[0]["attempts"] >= 3)

            await eventually(retried_and_pending, timeout_s=15)
            kinds = await timeline_kinds(live, scene)
            assert kinds[:2] == ["notice_queued", "notice_retrying"]
            assert smsc.messages() == []

            smsc.down = False
            sent = await eventually(smsc.messages, timeout_s=15)
            assert [m.destination for m in sent] == ["99871102"]
            assert sent[0].text.startswith("Xavotir: Bank 7 obyektida bostirib kirish")
            smsc.deliver_receipts()

            async def delivered() -> bool:
                return "notice_delivered" in await timeline_kinds(live, scene)

            await eventually(delivered)
            pending = await get_json(live, scene, "/api/v1/notifications?state=pending")
            assert pending == []


async def test_an_undeliverable_receipt_fails_the_notice(settings: Settings, db: Database) -> None:
    with running_smsc() as smsc:
        smsc.undeliverable.add("998901234567")
        smsc.auto_receipts = True
        async with serve(notifying(settings, smsc), db) as live:
            scene = await bank_alarm(live, ["en"])
            await notify(live, scene, channel="sms", contact_id=scene.contact_id)

            async def failed() -> dict[str, str]:
                notices = await get_json(live, scene, "/api/v1/notifications?state=failed")
                assert len(notices) == 1
                return dict(notices[0])

            notice = await eventually(failed)
            assert notice["last_error"] == "delivery receipt: UNDELIV"
            assert (await timeline_kinds(live, scene))[-1] == "notice_failed"


async def test_a_telegram_notice_is_delivered_through_the_bot_api(
    settings: Settings, db: Database
) -> None:
    with running_bot_api(BotApi(chats={KEYHOLDER_CHAT})) as bot:
        async with serve(notifying(settings, bot=bot), db) as live:
            scene = await bank_alarm(live, ["uz-Cyrl"])
            response = await notify(
                live, scene, channel="telegram", contact_id=scene.contact_id, template="crew_sent"
            )
            assert response.status_code == 202, response.text

            async def delivered() -> bool:
                return "notice_delivered" in await timeline_kinds(live, scene)

            await eventually(delivered)
            [message] = bot.messages()
            assert message.chat_id == KEYHOLDER_CHAT
            assert message.text.startswith("Bank 7: тезкор гуруҳ йўлда")


async def test_a_chat_the_bot_cannot_reach_fails_without_retrying(
    settings: Settings, db: Database
) -> None:
    with running_bot_api(BotApi(chats={"1"})) as bot:
        async with serve(notifying(settings, bot=bot), db) as live:
            scene = await bank_alarm(live, ["en"])
            await notify(live, scene, channel="telegram", contact_id=scene.contact_id)

            async def failed() -> dict[str, str]:
                notices = await get_json(live, scene, "/api/v1/notifications?state=failed")
                assert len(notices) == 1
                return dict(notices[0])

            notice = await eventually(failed)
            assert "chat not found" in notice["last_error"]
            assert bot.requests == 1


async def test_a_channel_that_is_not_configured_is_refused_with_how_to_configure_it(
    settings: Settings, db: Database
) -> None:
    async with serve(notifying(settings), db) as live:
        scene = await bank_alarm(live, ["en"])
        sms = await notify(live, scene, channel="sms", contact_id=scene.contact_id)
        assert sms.status_code == 409
        assert sms.json()["code"] == "sms_not_configured"
        assert "--smpp-host" in sms.json()["detail"]
        telegram = await notify(live, scene, channel="telegram", duty_desk=True)
        assert telegram.json()["code"] == "telegram_not_configured"


async def test_a_recipient_must_be_one_contact_of_the_site_or_the_duty_desk(
    settings: Settings, db: Database
) -> None:
    with running_smsc() as smsc:
        async with serve(notifying(settings, smsc), db) as live:
            scene = await bank_alarm(live, ["en"])
            both = await notify(
                live, scene, channel="sms", contact_id=scene.contact_id, duty_desk=True
            )
            assert (both.status_code, both.json()["code"]) == (422, "recipient_required")
            stranger = await notify(live, scene, channel="sms", contact_id=scene.contact_id + 99)
            assert stranger.json()["code"] == "contact_not_of_site"
            wrong_phone = await notify(
                live, scene, channel="sms", contact_id=scene.contact_id, phone="+998711234567"
            )
            assert wrong_phone.json()["code"] == "phone_not_of_contact"
            path = f"/api/v1/incidents/{scene.incident_id}/notifications"
            assert await get_json(live, scene, path) == []
