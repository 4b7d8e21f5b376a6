"""A site's contacts over the API, on SQLite and PostgreSQL: admins keep the list, dispatchers
read it, see who to call about an incident and record each call, which lands on the timeline and
the dispatcher stream; a contact or phone from elsewhere is refused with its code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.helpers import open_socket, post_alert, receive

pytestmark = pytest.mark.integration

ALWAYS = [
    {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "00:00"}
]
NEVER_NOW: list[dict[str, Any]] = []  # set per test: a range that excludes the current minute


async def _json(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class Office:
    """An admin and a dispatcher client on one live server, and a bank site."""

    def __init__(self, live: Live, admin: httpx.AsyncClient, desk: httpx.AsyncClient) -> None:
        self.live = live
        self.admin = admin
        self.desk = desk

    async def site(self, name: str) -> int:
        created = await _json(await self.admin.post("/api/v1/sites", json={"name": name}), 201)
        return int(created["id"])

    async def contact(self, site_id: int, **body: Any) -> dict[str, Any]:
        path = f"/api/v1/sites/{site_id}/contacts"
        found: dict[str, Any] = await _json(await self.admin.post(path, json=body), 201)
        return found


@pytest.fixture
async def office(live: Live) -> Any:
    admin, dispatcher = await live.token(Role.ADMIN), await live.token(Role.DISPATCHER)
    async with (
        httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as admin_client,
        httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as desk_client,
    ):
        yield Office(live, admin_client, desk_client)


async def test_admins_keep_a_sites_list_in_call_order(office: Office) -> None:
    bank = await office.site("Bank 1")
    first = await office.contact(bank, name="Aziz", phones=["+998 90 123-45-67"], role="owner")
    second = await office.contact(bank, name="Bobur", phones=["712000000"], languages=["ru"])
    assert (first["order"], second["order"]) == (0, 1)
    assert first["phones"] == ["+998901234567"]
    await _json(
        await office.admin.patch(f"/api/v1/contacts/{second['id']}", json={"order": 0}), 200
    )
    await _json(await office.admin.patch(f"/api/v1/contacts/{first['id']}", json={"order": 5}), 200)
    listed = await _json(await office.desk.get(f"/api/v1/sites/{bank}/contacts"), 200)
    assert [contact["name"] for contact in listed] == ["Bobur", "Aziz"]
    assert "password" not in str(listed).replace("has_password", "")
    await _json(await office.admin.delete(f"/api/v1/contacts/{first['id']}"), 204)
    await _json(await office.desk.get(f"/api/v1/contacts/{first['id']}"), 404)


async def test_dispatchers_may_read_but_not_write(office: Office) -> None:
    bank = await office.site("Bank 2")
    path = f"/api/v1/sites/{bank}/contacts"
    refused = await office.desk.post(path, json={"name": "X", "phones": ["+998901234567"]})
    assert refused.status_code == 403
    missing = await office.admin.post(
        "/api/v1/sites/999999/contacts", json={"name": "X", "phones": ["1234"]}
    )
    assert missing.status_code == 404


async def test_who_to_call_puts_the_available_first_with_their_calls(office: Office) -> None:
    bank = await office.site("Bank 3")
    # A one-minute range a week away from now is (almost) never open; no test clock is needed
    # because the available contact has hours covering the whole week.
    asleep = await office.contact(
        bank,
        name="Night owl",
        phones=["+998900000001"],
        hours=[{"days": ["mon"], "start": "03:00", "end": "03:01"}],
    )
    awake = await office.contact(bank, name="Guard", phones=["+998900000002"], hours=ALWAYS)
    anyone = await office.contact(bank, name="Owner", phones=["+998900000003"])
    incident = await post_alert(office.live, await office.live.token(Role.DISPATCHER), site_id=bank)
    incident_id = int(incident["incident_id"])
    path = f"/api/v1/incidents/{incident_id}"
    call = {"contact_id": awake["id"], "phone": "+998 90 000 00 02", "result": "no_answer"}
    recorded = await _json(await office.desk.post(f"{path}/calls", json=call), 201)
    assert recorded["phone"] == "+998900000002"
    assert recorded["contact_name"] == "Guard"

    who = await _json(await office.desk.get(f"{path}/contacts"), 200)
    names = [entry["contact"]["name"] for entry in who["contacts"]]
    reasons = {entry["contact"]["name"]: entry["reason"] for entry in who["contacts"]}
    assert names[:2] == ["Guard", "Owner"]
    assert reasons["Guard"] == "in_hours"
    assert reasons["Owner"] == "any_time"
    assert who["results"][0] == "answered"
    guard = who["contacts"][0]
    assert [c["result"] for c in guard["calls"]] == ["no_answer"]
    assert asleep["id"] in {entry["contact"]["id"] for entry in who["contacts"]}
    assert anyone["id"] == who["contacts"][1]["contact"]["id"]


async def test_a_call_is_on_the_timeline_and_the_dispatcher_stream(office: Office) -> None:
    bank = await office.site("Bank 4")
    owner = await office.contact(bank, name="Aziz", phones=["+998901234567"], has_password=True)
    admin = await office.live.token(Role.DISPATCHER)
    incident_id = int((await post_alert(office.live, admin, site_id=bank))["incident_id"])
    socket, welcome = await open_socket(office.live, "/ws/dispatch", admin)
    try:
        body = {"contact_id": owner["id"], "phone": "+998901234567", "result": "password_given"}
        body["note"] = "said the word"
        await _json(
            await office.desk.post(f"/api/v1/incidents/{incident_id}/calls", json=body), 201
        )
        events = await receive(socket, 2)
    finally:
        await socket.close()
    assert [event["type"] for event in events] == ["timeline", "call"]
    assert events[0]["data"]["kind"] == "call"
    assert events[1]["data"]["result"] == "password_given"
    timeline = await _json(await office.desk.get(f"/api/v1/incidents/{incident_id}/timeline"), 200)
    call_entries = [entry for entry in timeline if entry["kind"] == "call"]
    assert call_entries[0]["data"]["contact"] == "Aziz"
    assert call_entries[0]["data"]["result"] == "password_given"
    calls = await _json(await office.desk.get(f"/api/v1/incidents/{incident_id}/calls"), 200)
    assert [call["note"] for call in calls] == ["said the word"]
    assert welcome["type"] == "welcome"


async def test_a_contact_or_phone_from_elsewhere_is_refused(office: Office) -> None:
    bank, shop = await office.site("Bank 5"), await office.site("Shop 5")
    ours = await office.contact(bank, name="Aziz", phones=["+998901234567"])
    theirs = await office.contact(shop, name="Bobur", phones=["+998907654321"])
    admin = await office.live.token(Role.DISPATCHER)
    incident_id = int((await post_alert(office.live, admin, site_id=bank))["incident_id"])
    path = f"/api/v1/incidents/{incident_id}/calls"
    other = {"contact_id": theirs["id"], "phone": "+998907654321", "result": "answered"}
    refused = await _json(await office.desk.post(path, json=other), 422)
    assert refused["code"] == "unknown_contact"
    wrong = {"contact_id": ours["id"], "phone": "+998907654321", "result": "answered"}
    refused = await _json(await office.desk.post(path, json=wrong), 422)
    assert refused["code"] == "phone_not_of_contact"
    assert await _json(await office.desk.get(path), 200) == []
    missing = await office.desk.post("/api/v1/incidents/999999/calls", json=wrong)
    assert missing.status_code == 404


async def test_a_sheet_imports_contacts_and_reimporting_updates_them(office: Office) -> None:
    bank = await office.site("Bank 6")
    sheet = (
        "site,name,role,phones,languages,hours,order\n"
        "Bank 6,Aziz,owner,+998901234567;712000000,uz;ru,mon-fri 08:00-18:00,1\n"
        "Bank 6,Bobur,guard,+998907654321,ru,,0\n"
    )
    report = await _json(await office.admin.post("/api/v1/contacts/import", content=sheet), 200)
    assert report["imported"] == 2
    again = sheet.replace("guard", "keyholder") + "Nowhere,X,guard,+998900000000,,,\n"
    refused = await _json(await office.admin.post("/api/v1/contacts/import", content=again), 422)
    assert refused["rejected"][0]["line"] == 4
    await _json(
        await office.admin.post("/api/v1/contacts/import?skip_invalid=true", content=again), 200
    )
    listed = await _json(await office.desk.get(f"/api/v1/sites/{bank}/contacts"), 200)
    assert [(c["name"], c["role"]) for c in listed] == [("Bobur", "keyholder"), ("Aziz", "owner")]
    assert listed[1]["hours"][0]["days"] == ["mon", "tue", "wed", "thu", "fri"]
