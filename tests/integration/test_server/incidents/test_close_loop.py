"""The dispatcher-crew loop closes over the API: notes and changes reach the crew's stream (a
tablet that was offline gets them by replay), a re-dispatch tells the crew it was taken from,
the crew sets its own status, the crew's synced report reaches the dispatcher with an event,
and every close records the one outcome statistics read."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from sync.entities import (
    DetentionFields,
    IncidentReportFields,
    Outcome,
    PersonRole,
    ReportPersonFields,
)
from sync.mutations import DetentionAddV1, ReportPersonAddV1
from tests.integration.live import Live
from tests.integration.test_server.helpers import (
    create_crew,
    dispatch,
    nothing_more,
    open_socket,
    post_alert,
    receive,
)
from tests.integration.test_sync.support import Tablets, dispatched_crew

pytestmark = pytest.mark.integration


class Desk:
    """A dispatcher's HTTP client, with the crew and incident a test works on."""

    def __init__(self, live: Live, client: httpx.AsyncClient, dispatcher: str) -> None:
        self.live = live
        self.client = client
        self.dispatcher = dispatcher

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        response = await self.client.post(path, json=body)
        assert response.status_code == status, response.text
        return None if status == 204 else response.json()

    async def get(self, path: str) -> Any:
        response = await self.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def desk(live: Live) -> Any:
    dispatcher = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(dispatcher)) as client:
        yield Desk(live, client, dispatcher)


@pytest.fixture
async def tablets(live: Live, tmp_path: Path) -> Any:
    opened = Tablets(live, tmp_path)
    yield opened
    await opened.close()


async def _crew(live: Live, name: str) -> int:
    return await create_crew(live, await live.token(Role.ADMIN), name, 39.655, 66.976)


async def _dispatched(desk: Desk, crew_id: int) -> int:
    incident_id = int((await post_alert(desk.live, desk.dispatcher))["incident_id"])
    await dispatch(desk.live, desk.dispatcher, incident_id, crew_id)
    return incident_id


async def test_a_note_after_dispatch_is_replayed_to_a_crew_socket_that_was_away(
    live: Live, desk: Desk
) -> None:
    crew_id = await _crew(live, "Lochin-1")
    incident_id = await _dispatched(desk, crew_id)
    crew_token = await live.token(Role.CREW, crew_id)
    socket, welcome = await open_socket(live, "/ws/crew", crew_token)
    await socket.close()

    await desk.post(f"/api/v1/incidents/{incident_id}/notes", {"text": "Side gate"}, 204)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(crew_token)) as crew:
        own = await crew.post(f"/api/v1/incidents/{incident_id}/notes", json={"text": "Here"})
    assert own.status_code == 204, own.text

    socket, _ = await open_socket(live, "/ws/crew", crew_token, last_seq=welcome["seq"])
    try:
        [note] = await receive(socket, 1)
        assert await nothing_more(socket)  # the crew's own note is not echoed to it
    finally:
        await socket.close()
    assert note["type"] == "note"
    assert note["seq"] == welcome["seq"] + 1
    timeline = await desk.get(f"/api/v1/incidents/{incident_id}/timeline")
    [entry] = [e for e in timeline if e["kind"] == "note" and e["data"]["text"] == "Side gate"]
    assert note["data"]["incident_id"] == incident_id
    assert note["data"]["entry_id"] == entry["id"]
    assert note["data"]["text"] == "Side gate"
    assert note["data"]["actor"] == entry["actor"].split(":", 1)[1]
    assert dt.datetime.fromisoformat(note["data"]["at"]).utcoffset() == dt.timedelta(0)


async def test_a_redispatch_tells_the_crew_it_was_taken_from(live: Live, desk: Desk) -> None:
    first = await _crew(live, "Lochin-2")
    second = await _crew(live, "Lochin-3")
    incident_id = await _dispatched(desk, first)
    socket, _ = await open_socket(live, "/ws/crew", await live.token(Role.CREW, first))
    try:
        await dispatch(live, desk.dispatcher, incident_id, second)
        [event] = await receive(socket, 1)
    finally:
        await socket.close()
    assert event["type"] == "incident"
    assert event["data"]["id"] == incident_id
    assert event["data"]["crew_id"] == second
    assert event["data"]["crew_name"] == "Lochin-3"


async def test_every_change_and_the_close_reach_the_crews_stream(live: Live, desk: Desk) -> None:
    crew_id = await _crew(live, "Lochin-4")
    incident_id = await _dispatched(desk, crew_id)
    socket, _ = await open_socket(live, "/ws/crew", await live.token(Role.CREW, crew_id))
    path = f"/api/v1/incidents/{incident_id}/status"
    try:
        await desk.post(path, {"status": "en_route"})
        refused = await desk.post(path, {"status": "cancelled"}, 422)
        await desk.post(path, {"status": "cancelled", "outcome": "other", "note": "Called off"})
        events = await receive(socket, 2)
    finally:
        await socket.close()
    assert refused["code"] == "outcome_required"
    assert [(e["type"], e["data"]["status"]) for e in events] == [
        ("incident", "en_route"),
        ("incident", "cancelled"),
    ]
    assert events[1]["data"]["outcome"] == "other"
    assert events[1]["data"]["crew_name"] == "Lochin-4"


@pytest.mark.parametrize("status", ["new", "dispatched", "acknowledged", "en_route", "on_scene"])
async def test_an_incident_is_resolved_from_any_open_status(
    live: Live, desk: Desk, status: str
) -> None:
    crew_id = await _crew(live, f"Lochin-{status}")
    incident_id = int((await post_alert(live, desk.dispatcher))["incident_id"])
    if status != "new":
        await dispatch(live, desk.dispatcher, incident_id, crew_id)
    if status not in ("new", "dispatched"):
        await desk.post(f"/api/v1/incidents/{incident_id}/status", {"status": status})
    resolved = await desk.post(
        f"/api/v1/incidents/{incident_id}/resolve", {"outcome": "crime_prevented"}
    )
    assert (resolved["status"], resolved["outcome"]) == ("resolved", "crime_prevented")


async def test_a_false_alarm_records_its_outcome_and_statistics_read_only_that_field(
    live: Live, desk: Desk
) -> None:
    false_alarm = int((await post_alert(live, desk.dispatcher))["incident_id"])
    cancelled = int((await post_alert(live, desk.dispatcher))["incident_id"])
    marked = await desk.post(f"/api/v1/incidents/{false_alarm}/status", {"status": "false_alarm"})
    await desk.post(
        f"/api/v1/incidents/{cancelled}/status", {"status": "cancelled", "outcome": "medical"}
    )
    stats = await desk.get("/api/v1/stats")
    assert marked["outcome"] == "false_alarm"
    assert stats["outcomes"] == {"false_alarm": 1, "medical": 1}
    assert sum(group["false_alarms"] for group in stats["groups"]) == 1


async def test_a_crew_sets_its_own_status_which_the_board_and_suggestions_follow(
    live: Live, desk: Desk
) -> None:
    crew_id = await _crew(live, "Lochin-5")
    incident_id = await _dispatched(desk, crew_id)
    crew_token = await live.token(Role.CREW, crew_id)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(crew_token)) as tablet:
        me = (await tablet.get("/api/v1/crew-app/me")).json()
        busy = await tablet.post("/api/v1/crew-app/status", json={"status": "out_of_service"})
        await desk.post(f"/api/v1/incidents/{incident_id}/resolve", {"outcome": "other"})
        board, _ = await open_socket(live, "/ws/dispatch", desk.dispatcher)
        try:
            away = await tablet.post("/api/v1/crew-app/status", json={"status": "out_of_service"})
            [seen] = await receive(board, 1)
            again = await tablet.post("/api/v1/crew-app/status", json={"status": "out_of_service"})
            unknown = await tablet.post("/api/v1/crew-app/status", json={"status": "on_scene"})
            assert await nothing_more(board)  # a status the crew already has changes nothing
        finally:
            await board.close()
    assert me == {"crew_id": crew_id, "name": "Lochin-5", "members": [], "status": "dispatched"}
    assert busy.status_code == 409
    assert busy.json()["code"] == "crew_on_incident"
    assert away.status_code == again.status_code == 200, again.text
    assert away.json()["status"] == "out_of_service"
    assert again.json() == away.json()
    assert unknown.status_code == 400
    assert (seen["type"], seen["data"]["id"]) == ("crew", crew_id)
    assert seen["data"]["status"] == "out_of_service"

    next_incident = int((await post_alert(live, desk.dispatcher))["incident_id"])
    offered = await desk.get(f"/api/v1/incidents/{next_incident}/suggestions")
    refused = await desk.post(
        f"/api/v1/incidents/{next_incident}/dispatch", {"crew_id": crew_id}, 409
    )
    assert crew_id not in [s["crew_id"] for s in offered]
    assert refused["code"] == "crew_out_of_service"
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(crew_token)) as tablet:
        back = await tablet.post("/api/v1/crew-app/status", json={"status": "returning"})
    assert back.json()["status"] == "returning"
    offered = await desk.get(f"/api/v1/incidents/{next_incident}/suggestions")
    assert crew_id in [s["crew_id"] for s in offered]


async def test_only_a_crew_token_has_a_crew_of_its_own(live: Live, desk: Desk) -> None:
    response = await desk.client.get("/api/v1/crew-app/me")
    assert response.status_code == 403


async def test_the_crews_synced_report_reaches_the_dispatcher_with_an_event(
    live: Live, desk: Desk, tablets: Tablets
) -> None:
    crew = await dispatched_crew(live, "Report")
    path = f"/api/v1/incidents/{crew.incident_id}"
    empty = await desk.get(f"{path}/report")
    tablet = tablets.open(crew.crew_token, "tablet")
    report_id = tablet.new_id()
    report = IncidentReportFields(
        incident_id=crew.incident_uuid,
        crew_id=crew.crew_uuid,
        narrative="Two men at the gate; one held.",
        outcome=Outcome.PERSONS_DETAINED,
    )
    tablet.edit_report(report_id, report)
    person = tablet.enqueue(
        ReportPersonAddV1,
        entity_id=tablet.new_id(),
        fields=ReportPersonFields(report_id=report_id, role=PersonRole.SUSPECT, full_name="A. B."),
    )
    tablet.enqueue(
        DetentionAddV1,
        entity_id=tablet.new_id(),
        fields=DetentionFields(
            report_id=report_id,
            person_id=person.entity_id,
            detained_at=dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC),
            grounds="Caught in the act",
        ),
    )
    board, _ = await open_socket(live, "/ws/dispatch", desk.dispatcher)
    try:
        await tablet.push()
        events = await receive(board, 2)
    finally:
        await board.close()

    assert empty == {
        "incident_id": crew.incident_id,
        "narrative": "",
        "outcome": None,
        "persons": [],
        "detentions": [],
        "updated_at": None,
    }
    assert [e["type"] for e in events] == ["report", "incident"]
    assert events[0]["data"] == {"incident_id": crew.incident_id}
    assert events[1]["data"]["proposed_outcome"] == "persons_detained"
    shown = await desk.get(f"{path}/report")
    assert shown["narrative"] == "Two men at the gate; one held."
    assert shown["outcome"] == "persons_detained"
    assert [(p["id"], p["role"], p["full_name"]) for p in shown["persons"]] == [
        (str(person.entity_id), "suspect", "A. B.")
    ]
    assert [(d["person_id"], d["grounds"]) for d in shown["detentions"]] == [
        (str(person.entity_id), "Caught in the act")
    ]
    assert shown["updated_at"] is not None
    incident = await desk.get(path)
    # The report proposes; only the dispatcher's close sets the outcome statistics read.
    assert (incident["proposed_outcome"], incident["outcome"]) == ("persons_detained", None)


async def test_a_report_of_an_unknown_incident_is_not_found(desk: Desk) -> None:
    response = await desk.client.get(f"/api/v1/incidents/{uuid.uuid4().int % 10**6 + 10**6}/report")
    assert response.status_code == 404
