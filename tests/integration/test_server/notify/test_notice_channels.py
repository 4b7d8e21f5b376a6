"""GET /api/v1/notifications/channels says which notices the server can send, so the dispatcher
page offers only those buttons: nothing without a gateway, SMS and its duty desk with one."""

from __future__ import annotations

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings
from tests.integration.live import serve
from tests.integration.test_server.notify.support import notifying
from tests.smpp_server import running_smsc

pytestmark = pytest.mark.integration

PATH = "/api/v1/notifications/channels"


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


async def _channels(settings: Settings, db: Database) -> dict[str, bool]:
    async with serve(settings, db) as live:
        token = await live.token(Role.DISPATCHER)
        async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
            response = await client.get(PATH)
    assert response.status_code == 200, response.text
    found: dict[str, bool] = response.json()
    return found


async def test_no_channel_is_offered_without_a_gateway(settings: Settings, db: Database) -> None:
    assert await _channels(settings, db) == {
        "sms": False,
        "telegram": False,
        "duty_desk_sms": False,
        "duty_desk_telegram": False,
    }


async def test_an_smpp_gateway_offers_sms_and_the_duty_desk_phone(
    settings: Settings, db: Database
) -> None:
    with running_smsc() as smsc:
        found = await _channels(notifying(settings, smsc), db)
    assert found == {
        "sms": True,
        "telegram": False,
        "duty_desk_sms": True,
        "duty_desk_telegram": False,
    }
