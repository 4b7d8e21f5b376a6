"""GET /api/v1/notifications/channels through `posbon serve`: with the default flags no notice
channel is on, and the page is told so (a dispatcher may ask; a camera's token may not)."""

from __future__ import annotations

import pytest

from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance


async def test_a_default_server_offers_no_notice_channel(served: ServedPosbon) -> None:
    async with served.api(served.token("dispatcher")) as dispatcher:
        answer = await dispatcher.get("/api/v1/notifications/channels")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "sms": False,
        "telegram": False,
        "duty_desk_sms": False,
        "duty_desk_telegram": False,
    }
    async with served.api(served.token("camera")) as camera:
        refused = await camera.get("/api/v1/notifications/channels")
    assert refused.status_code == 403, refused.text
