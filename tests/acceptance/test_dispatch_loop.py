"""The loop between dispatcher and crew through the shipped process.

What a dispatcher does after a dispatch (a note, a cancellation that needs a disposition) reaches
a tablet that was away once it says hello again; the crew sets its own status; the crew's synced
report, and the outcome it proposes, reach the dispatcher; error sentences come in the reader's
language."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync.client import SyncClient
from sync.entities import IncidentReportFields, Outcome
from sync.server_ids import crew_uuid, incident_uuid
from tests.acceptance import fleet
from tests.acceptance.clients import (
    dispatch_feed,
    next_message,
    raise_and_dispatch,
    say_hello,
    wait_for_event,
)
from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance


async def test_a_note_and_a_cancellation_reach_a_tablet_that_was_away_in_order(
    served: ServedPosbon,
) -> None:
    _, crew_id = fleet.CREW_FOR_SOCKETS
    token = served.token("crew", crew_id)
    socket, welcome = await say_hello(served, "/ws/crew", token)
    seen = welcome["seq"]
    await socket.close()  # the tablet drives into a dead zone

    incident_id = await raise_and_dispatch(served, crew_id, "called off while away")
    async with served.api(served.token("dispatcher")) as desk:
        noted = await desk.post(
            f"/api/v1/incidents/{incident_id}/notes", json={"text": "Owner says: back door"}
        )
        assert noted.status_code == 204, served.explain(noted.text)
        bare = await desk.post(
            f"/api/v1/incidents/{incident_id}/status",
            json={"status": "cancelled"},
            headers={"Accept-Language": "ru"},
        )
        cancelled = await desk.post(
            f"/api/v1/incidents/{incident_id}/status",
            json={"status": "cancelled", "outcome": "other", "note": "caller withdrew"},
        )
    assert bare.status_code == 422, served.explain(bare.text)
    refusal = bare.json()
    assert refusal["code"] == "outcome_required"
    assert any("\u0430" <= letter <= "\u044f" for letter in refusal["message"].lower()), refusal
    assert cancelled.status_code == 200, served.explain(cancelled.text)
    assert cancelled.json()["outcome"] == "other"

    socket, welcome = await say_hello(served, "/ws/crew", token, last_seq=seen)
    try:
        replayed = [await next_message(socket) for _ in range(welcome["seq"] - seen)]
    finally:
        await socket.close()
    mine = [event for event in replayed if _incident_of(event) == incident_id]
    assert [event["type"] for event in mine][:1] == ["dispatch"], mine
    notes = [event["data"] for event in mine if event["type"] == "note"]
    assert [note["text"] for note in notes] == ["Owner says: back door"]
    last = mine[-1]
    assert (last["type"], last["data"]["status"]) == ("incident", "cancelled"), mine
    assert [event["seq"] for event in replayed] == sorted({event["seq"] for event in replayed})


def _incident_of(event: dict[str, object]) -> object:
    data = event.get("data")
    if not isinstance(data, dict):
        return None
    if event["type"] == "dispatch":
        incident = data.get("incident")
        return incident.get("id") if isinstance(incident, dict) else None
    return data.get("incident_id", data.get("id"))


async def test_a_crew_takes_itself_out_of_service_and_is_not_sent(served: ServedPosbon) -> None:
    # A crew of its own: the fleet's crews may hold incidents other tests left open, and a crew
    # on an incident cannot change its own status (409 crew_on_incident).
    async with served.api(served.token("admin")) as admin:
        made = await admin.post("/api/v1/crews", json={"name": "Acceptance crew Urgut"})
    assert made.status_code == 201, served.explain(made.text)
    crew_id = made.json()["id"]
    async with (
        served.api(served.token("crew", crew_id)) as tablet,
        served.api(served.token("dispatcher")) as desk,
    ):
        me = (await tablet.get("/api/v1/crew-app/me")).json()
        out = await tablet.post("/api/v1/crew-app/status", json={"status": "out_of_service"})
        assert out.status_code in (200, 201), served.explain(out.text)
        board = (await desk.get(f"/api/v1/crews/{crew_id}")).json()
        raised = await desk.post(
            "/api/v1/alerts", json={"kind": "panic", "lat": 39.65, "lon": 66.96}
        )
        refused = await desk.post(
            f"/api/v1/incidents/{raised.json()['incident_id']}/dispatch", json={"crew_id": crew_id}
        )
    assert (me["crew_id"], me["name"]) == (crew_id, "Acceptance crew Urgut")
    assert board["status"] == "out_of_service"
    assert (refused.status_code, refused.json()["code"]) == (409, "crew_out_of_service")


async def test_the_crews_synced_report_and_its_outcome_reach_the_dispatcher(
    served: ServedPosbon, devices: Callable[[str, str], SyncClient]
) -> None:
    _, crew_id = fleet.CREW_FOR_SYNC
    incident_id = await raise_and_dispatch(served, crew_id, "report for the desk")
    device = devices(served.http, served.token("crew", crew_id))
    narrative = "Two men at the gate; one detained, handed to the district officer."
    fields = IncidentReportFields(
        incident_id=incident_uuid(incident_id),
        crew_id=crew_uuid(crew_id),
        narrative=narrative,
        outcome=Outcome.PERSONS_DETAINED,
    )
    device.edit_report(device.new_id(), fields)
    dispatcher = served.token("dispatcher")
    async with dispatch_feed(served, dispatcher) as feed:
        await device.sync()
        event = await wait_for_event(
            served,
            feed,
            lambda event: event["type"] == "report" and event["data"]["incident_id"] == incident_id,
        )
    async with served.api(dispatcher) as desk:
        report = (await desk.get(f"/api/v1/incidents/{incident_id}/report")).json()
        incident = (await desk.get(f"/api/v1/incidents/{incident_id}")).json()
    assert event["data"] == {"incident_id": incident_id}
    assert (report["narrative"], report["outcome"]) == (narrative, "persons_detained")
    assert (incident["proposed_outcome"], incident["outcome"]) == ("persons_detained", None)
    assert incident["crew_name"] == fleet.CREW_FOR_SYNC[0]
