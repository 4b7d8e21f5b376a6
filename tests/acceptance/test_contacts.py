"""Key-holders through the shipped process: `posbon contacts import` loads a bank's call list,
a real DC-09 panel at the bank raises an alarm, and the dispatcher sees who to call, records a
call that went unanswered and one that was answered, each on the timeline and the live feed."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance import fleet
from tests.acceptance.clients import alert_at, dispatch_feed, wait_for_event
from tests.acceptance.support import ServedPosbon
from tests.dc09_sender import send_dc09

pytestmark = pytest.mark.acceptance

PANIC = {"code": 120, "q": 1, "zone": 2}


def is_call(event: dict[str, Any]) -> bool:
    return event.get("type") == "call"


# my-dc09-spt drops its socket unclosed when no answer comes (see test_alarm_doors.py).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_a_dispatcher_calls_the_banks_key_holders_in_order(
    served: ServedPosbon, tmp_path: Path
) -> None:
    panel = fleet.PANELS[("TCP", "plain")]
    owner, guard = f"Owner {uuid.uuid4().hex[:6]}", f"Guard {uuid.uuid4().hex[:6]}"
    sheet = tmp_path / "contacts.csv"
    sheet.write_text(
        "site,name,role,phones,languages,hours,order\n"
        f"{panel.site},{owner},owner,+998 90 111 22 33,uz;ru,daily 00:00-00:00,10\n"
        f"{panel.site},{guard},guard,+998901112244;712000000,ru,,11\n",
        encoding="utf-8",
    )
    assert "2 rows imported" in served.cli("contacts", "import", str(sheet))

    desk_token = served.token("dispatcher")
    async with dispatch_feed(served, desk_token) as feed:
        acked = await send_dc09(served.ports.dc09, panel.account, PANIC, key=panel.key)
        assert acked, served.explain("my-dc09-spt got no ACK for its panic")
        alert = (await wait_for_event(served, feed, alert_at(panel.site)))["data"]
        incident_id = alert["incident_id"]
        async with served.api(desk_token) as desk:
            who = (await desk.get(f"/api/v1/incidents/{incident_id}/contacts")).json()
            ours = [e for e in who["contacts"] if e["contact"]["name"] in {owner, guard}]
            assert [e["contact"]["name"] for e in ours] == [owner, guard]
            assert [e["available_now"] for e in ours] == [True, True]
            assert ours[0]["contact"]["phones"] == ["+998901112233"]
            calls_path = f"/api/v1/incidents/{incident_id}/calls"
            for contact, phone, result in (
                (ours[0]["contact"], "+998901112233", "no_answer"),
                (ours[1]["contact"], "71 200 00 00", "answered"),
            ):
                body = {"contact_id": contact["id"], "phone": phone, "result": result}
                answer = await desk.post(calls_path, json=body)
                assert answer.status_code == 201, answer.text
                event = await wait_for_event(served, feed, is_call)
                assert event["data"]["result"] == result
            wrong = {"contact_id": ours[0]["contact"]["id"], "phone": "123", "result": "busy"}
            refused = await desk.post(calls_path, json=wrong)
            timeline = (await desk.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
    assert refused.status_code == 422
    assert refused.json()["code"] == "phone_not_of_contact"
    called = [(e["data"]["contact"], e["data"]["result"]) for e in timeline if e["kind"] == "call"]
    assert called[-2:] == [(owner, "no_answer"), (guard, "answered")]
