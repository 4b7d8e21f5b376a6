"""On test through the shipped process and a real DC-09 panel (my-dc09-spt): a school on test
for 30 minutes sends 10 alarms, which are stored, dispatch nobody and all appear in the test
report; once the window is ended the 11th alarm dispatches. A short window ends by itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.support import ServedPosbon
from tests.acceptance.test_site_schedules import add_panel, alerts_at, wait_until_registered
from tests.dc09_sender import send_dc09
from tests.eventually import eventually

pytestmark = pytest.mark.acceptance


def alarm(zone: int) -> dict[str, int]:
    return {"code": 130, "q": 1, "zone": zone}  # Contact ID 1 130: burglary in `zone`


async def test_a_school_on_test_sends_ten_alarms_and_the_eleventh_after_dispatches(
    served: ServedPosbon,
) -> None:
    async with served.api(served.token("admin")) as admin:
        school = await add_panel(admin, "6B01", "Acceptance school (on test)")
        spt = await wait_until_registered(served, admin, "6B01")
    async with served.api(served.token("dispatcher")) as desk:
        started = await desk.post(
            f"/api/v1/sites/{school}/tests", json={"minutes": 30, "reason": "zone walk test"}
        )
        assert started.status_code == 201, started.text
        test = started.json()
        for zone in range(1, 11):
            assert await send_dc09(served.ports.dc09, "6B01", alarm(zone), spt=spt)
        report = (await desk.get(f"/api/v1/tests/{test['id']}/report")).json()
        assert report["total"] == 10
        assert [z["zone"] for z in report["zones"]] == [f"{zone:03d}" for zone in range(1, 11)]
        assert await alerts_at(desk, school) == []
        ended = await desk.delete(f"/api/v1/tests/{test['id']}")
        assert ended.status_code == 200, ended.text
        assert await send_dc09(served.ports.dc09, "6B01", alarm(11), spt=spt)
        (alert,) = await eventually(lambda: alerts_at(desk, school))
        assert alert["incident_id"] is not None
        assert (await desk.get(f"/api/v1/tests/{test['id']}/report")).json()["total"] == 10


async def test_a_short_window_ends_by_itself(served: ServedPosbon) -> None:
    async with served.api(served.token("admin")) as admin:
        school = await add_panel(admin, "6B02", "Acceptance school (short test)")
        spt = await wait_until_registered(served, admin, "6B02")
    async with served.api(served.token("dispatcher")) as desk:
        started = await desk.post(f"/api/v1/sites/{school}/tests", json={"minutes": 0.1})
        assert started.status_code == 201, started.text
        test: dict[str, Any] = started.json()

        async def over() -> bool:
            report = (await desk.get(f"/api/v1/tests/{test['id']}/report")).json()
            return report["active"] is False

        await eventually(over, timeout_s=30, interval_s=0.5)
        assert await send_dc09(served.ports.dc09, "6B02", alarm(1), spt=spt)
        (alert,) = await eventually(lambda: alerts_at(desk, school))
    assert alert["kind"] == "intrusion"
