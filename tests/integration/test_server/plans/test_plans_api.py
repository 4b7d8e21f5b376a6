"""Action plans over the API, on SQLite and PostgreSQL: a plan is data with immutable versions,
the most specific one attaches to a new incident with the version it had, each step marked is a
timeline entry and a `plan` event, and a close is held by an open required step until an
override reason is given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from tests.integration.live import Live
from tests.integration.test_server.helpers import nothing_more, open_socket, post_alert, receive

pytestmark = pytest.mark.integration

STEPS: list[dict[str, Any]] = [
    {"text": "Call the branch", "kind": "call_site"},
    {"text": "Call the key-holders in order", "kind": "call_keyholders"},
    {"text": "Check the cameras", "kind": "verify_video", "required": False},
]


class Clients:
    def __init__(self, admin: httpx.AsyncClient, desk: httpx.AsyncClient, token: str) -> None:
        self.admin = admin
        self.desk = desk
        self.dispatcher_token = token


@pytest.fixture
async def clients(live: Live) -> AsyncIterator[Clients]:
    admin, dispatcher = await live.token(Role.ADMIN), await live.token(Role.DISPATCHER)
    async with (
        httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as admin_client,
        httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as desk_client,
    ):
        yield Clients(admin_client, desk_client, dispatcher)


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _site(clients: Clients, name: str, kind: str) -> int:
    site = await _ok(
        await clients.admin.post("/api/v1/sites", json={"name": name, "kind": kind}), 201
    )
    return int(site["id"])


async def _plan(clients: Clients, **body: Any) -> dict[str, Any]:
    payload = {"name": "Bank intrusion", "alert_kind": "intrusion", "steps": STEPS} | body
    result: dict[str, Any] = await _ok(await clients.admin.post("/api/v1/plans", json=payload), 201)
    return result


async def _incident(live: Live, clients: Clients, site_id: int, kind: str = "intrusion") -> int:
    alert = await post_alert(live, clients.dispatcher_token, kind=kind, site_id=site_id)
    return int(alert["incident_id"])


async def _timeline_kinds(clients: Clients, incident_id: int) -> list[str]:
    entries = await _ok(await clients.desk.get(f"/api/v1/incidents/{incident_id}/timeline"))
    return [entry["kind"] for entry in entries]


async def test_the_most_specific_plan_attaches_site_over_site_kind_over_kind(
    live: Live, clients: Clients
) -> None:
    bank = await _site(clients, "Agrobank Registan", "bank")
    other_bank = await _site(clients, "Xalq banki", "bank")
    school = await _site(clients, "School 12", "school")
    await _plan(clients, name="Any intrusion")
    banks = await _plan(clients, name="Banks", site_kind="bank")
    own = await _plan(clients, name="Agrobank Registan", site_id=bank)

    chosen = {}
    for site in (bank, other_bank, school):
        incident_id = await _incident(live, clients, site)
        plan = await _ok(await clients.desk.get(f"/api/v1/incidents/{incident_id}/plan"))
        chosen[site] = plan["plan_name"]
    assert chosen == {bank: own["name"], other_bank: banks["name"], school: "Any intrusion"}

    no_plan = await _incident(live, clients, school, kind="fire")
    assert await _ok(await clients.desk.get(f"/api/v1/incidents/{no_plan}/plan")) is None
    missing = await clients.desk.get("/api/v1/incidents/999999/plan")
    assert missing.status_code == 404, missing.text


async def test_an_edit_is_a_new_version_and_incidents_keep_the_version_they_follow(
    live: Live, clients: Clients
) -> None:
    site = await _site(clients, "Agrobank", "bank")
    plan = await _plan(clients)
    first = await _incident(live, clients, site)
    changed = {"name": "Bank intrusion", "alert_kind": "intrusion", "steps": STEPS[:1]}
    updated = await _ok(await clients.admin.put(f"/api/v1/plans/{plan['id']}", json=changed))
    again = await _ok(await clients.admin.put(f"/api/v1/plans/{plan['id']}", json=changed))
    second = await _incident(live, clients, site)

    assert (plan["version"], updated["version"], again["version"]) == (1, 2, 2)
    old = await _ok(await clients.desk.get(f"/api/v1/plans/{plan['id']}/versions/1"))
    assert [step["text"] for step in old["steps"]] == [step["text"] for step in STEPS]
    follows = [
        await _ok(await clients.desk.get(f"/api/v1/incidents/{incident}/plan"))
        for incident in (first, second)
    ]
    assert [(c["version"], len(c["steps"])) for c in follows] == [(1, 3), (2, 1)]

    await _ok(await clients.admin.post(f"/api/v1/plans/{plan['id']}/deactivate"))
    third = await _incident(live, clients, site)
    assert await _ok(await clients.desk.get(f"/api/v1/incidents/{third}/plan")) is None


async def test_one_active_plan_per_scope_and_only_admins_write(clients: Clients) -> None:
    await _plan(clients)
    clash = await clients.admin.post(
        "/api/v1/plans", json={"name": "Second", "alert_kind": "intrusion", "steps": STEPS}
    )
    assert (clash.status_code, clash.json()["code"]) == (409, "plan_scope_taken")
    refused = await clients.desk.post(
        "/api/v1/plans", json={"name": "Desk's", "alert_kind": "panic", "steps": STEPS}
    )
    assert refused.status_code == 403
    both = await clients.admin.post(
        "/api/v1/plans",
        json={
            "name": "X",
            "alert_kind": "panic",
            "site_kind": "bank",
            "site_id": 1,
            "steps": STEPS,
        },
    )
    assert (both.status_code, both.json()["code"]) == (422, "plan_scope_both")


async def test_steps_are_marked_on_the_timeline_and_a_required_open_step_holds_the_close(
    live: Live, clients: Clients
) -> None:
    site = await _site(clients, "Agrobank", "bank")
    await _plan(clients)
    incident_id = await _incident(live, clients, site)
    base = f"/api/v1/incidents/{incident_id}"
    socket, _ = await open_socket(live, "/ws/dispatch", clients.dispatcher_token, last_seq=None)
    try:
        no_reason = await clients.desk.post(f"{base}/plan/steps/1", json={"state": "skipped"})
        assert (no_reason.status_code, no_reason.json()["code"]) == (422, "plan_reason_required")
        done = await _ok(await clients.desk.post(f"{base}/plan/steps/0", json={"state": "done"}))
        assert done["open_required"] == [1]
        events = await receive(socket, 2)
        assert [event["type"] for event in events] == ["timeline", "plan"]
        assert events[1]["data"]["steps"][0]["state"] == "done"
        await nothing_more(socket)
    finally:
        await socket.close()

    close = {"outcome": "false_alarm", "notes": "staff forgot to disarm"}
    held = await clients.desk.post(f"{base}/resolve", json=close)
    assert (held.status_code, held.json()["code"]) == (409, "plan_steps_open")
    assert "Call the key-holders in order" in held.json()["detail"]
    cancel = {"status": "cancelled", "outcome": "false_alarm"}
    assert (await clients.desk.post(f"{base}/status", json=cancel)).status_code == 409

    reason = "Key-holder arrived in person"
    closed = await _ok(
        await clients.desk.post(f"{base}/resolve", json=close | {"plan_override": reason})
    )
    assert closed["status"] == "resolved"
    checklist = await _ok(await clients.desk.get(f"{base}/plan"))
    assert checklist["override"]["reason"] == reason
    kinds = await _timeline_kinds(clients, incident_id)
    assert kinds == ["created", "plan_attached", "plan_step", "plan_override", "status"]
    late = await clients.desk.post(f"{base}/plan/steps/1", json={"state": "done"})
    assert (late.status_code, late.json()["code"]) == (409, "plan_incident_closed")


async def test_an_override_ahead_of_the_close_and_a_plan_fully_worked_close_as_usual(
    live: Live, clients: Clients
) -> None:
    site = await _site(clients, "Agrobank", "bank")
    await _plan(clients)
    worked, overridden = await _incident(live, clients, site), await _incident(live, clients, site)
    for index, state, reason in ((0, "done", ""), (1, "failed", "nobody answered")):
        path = f"/api/v1/incidents/{worked}/plan/steps/{index}"
        await _ok(await clients.desk.post(path, json={"state": state, "reason": reason}))
    nothing = await clients.desk.post(
        f"/api/v1/incidents/{worked}/plan/override", json={"reason": "no need"}
    )
    assert (nothing.status_code, nothing.json()["code"]) == (409, "plan_no_open_steps")
    await _ok(
        await clients.desk.post(
            f"/api/v1/incidents/{overridden}/plan/override", json={"reason": "police on site"}
        )
    )
    for incident_id in (worked, overridden):
        body = {"outcome": "other"}
        closed = await _ok(
            await clients.desk.post(f"/api/v1/incidents/{incident_id}/resolve", json=body)
        )
        assert closed["status"] == "resolved"
    checklist = await _ok(await clients.desk.get(f"/api/v1/incidents/{worked}/plan"))
    assert [(s["state"], s["reason"]) for s in checklist["steps"]] == [
        ("done", ""),
        ("failed", "nobody answered"),
        ("open", ""),
    ]
