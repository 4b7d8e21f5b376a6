"""What a "wrong" verdict on a plate alert teaches, through the API with the real models on a
real photo, on both engines.

test_008.jpg reads LM298AI, unsure of its last character: against a listed LM 298 AT that is a
possible match. Marked wrong, that reading is no longer that entry (the same frame raises
nothing, on this camera or another); marked correct after all, it matches again. Against a
listed LM 298 AI the read is exact: "wrong" teaches nothing (the plate was read right, so the
list entry or the car is wrong) and the plate still alerts. What is taught and forgotten is in
the audit log under the dispatcher's name, and ``plate_match_distance`` 0 leaves nothing but the
reader's uncertainty to match LM 298 AT.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest

from server.db import Database
from server.settings import Settings
from tests.datafiles import EU_PLATES
from tests.integration.live import Live, serve
from tests.integration.test_recognition.review_desk import Desk, staffed
from tests.integration.test_server.recognition_support import created, recognition_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

UNSURE_PHOTO: Final = EU_PLATES / "test_008.jpg"  # read: LM298AI, position 6 uncertain


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
async def live(settings: Settings, db: Database, models_dir: Path) -> AsyncIterator[Live]:
    exact_only = recognition_settings(settings, models_dir, plate_match_distance=0)
    async with serve(exact_only, db) as running:
        yield running


@pytest.fixture
async def desk(live: Live) -> AsyncIterator[Desk]:
    """An admin, a dispatcher and a plate camera with no cooldown."""
    async with staffed(live, {"name": "ramp", "kind": "plate", "cooldown_s": 0}) as running:
        yield running


async def _listed(desk: Desk, plate: str) -> int:
    wanted = await created(desk.admin, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
    await created(desk.admin, f"/api/v1/plates/lists/{wanted['id']}/entries", {"plate": plate})
    return int(wanted["id"])


async def _push_again(desk: Desk) -> list[int]:
    await asyncio.sleep(0.01)  # cooldown_s is 0: a match now is a new alert
    return await desk.push(UNSURE_PHOTO.read_bytes())


async def _taught_in_audit(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetch(
        "SELECT action, actor FROM audit_log WHERE action LIKE {} ORDER BY id",
        "plate_list.not_match%",
    )
    return [(row["action"], row["actor"].split(":")[0]) for row in rows]


async def test_a_possible_plate_match_marked_wrong_stops_matching_and_correct_restores_it(
    desk: Desk, db: Database
) -> None:
    list_id = await _listed(desk, "LM 298 AT")
    (alert_id,) = await desk.push(UNSURE_PHOTO.read_bytes())
    (queued,) = await desk.recent("unreviewed")
    assert (queued["kind"], queued["possible"]) == ("plate_wanted", True)
    assert (queued["subject"], queued["listed_plate"]) == ("LM298AI", "LM 298 AT")

    wrong = await desk.review(alert_id, {"verdict": "wrong", "note": "another car"})
    assert wrong.status_code == 201, wrong.text
    assert wrong.json()["review"]["taught"] == "not_this_plate"
    stored = [
        dict(row)
        for row in await db.fetch(
            "SELECT list_id, listed_plate, read_text, alert_id FROM plate_not_matches"
        )
    ]
    assert stored == [
        {
            "list_id": list_id,
            "listed_plate": "LM298AT",
            "read_text": "LM298A1",
            "alert_id": alert_id,
        }
    ]
    assert await _push_again(desk) == []  # that reading is not that entry any more
    gate = await created(
        desk.admin, "/api/v1/cameras", {"name": "gate", "kind": "plate", "cooldown_s": 0}
    )
    desk.camera_id = gate["id"]
    assert await _push_again(desk) == []  # on any camera
    (reviewed,) = await desk.recent("all")
    assert reviewed["review"]["taught"] == "not_this_plate"

    correct = await desk.review(alert_id, {"verdict": "correct"})
    assert correct.status_code == 201, correct.text
    assert [r["taught"] for r in correct.json()["history"]] == ["not_this_plate", "nothing"]
    assert await db.fetch("SELECT id FROM plate_not_matches") == []
    assert len(await _push_again(desk)) == 1  # the reading may be that car again
    assert await _taught_in_audit(db) == [
        ("plate_list.not_match_add", "dispatcher"),
        ("plate_list.not_match_remove", "dispatcher"),
    ]
    timeline = (
        await desk.dispatcher.get(f"/api/v1/incidents/{reviewed['incident_id']}/timeline")
    ).json()
    taught = [e["data"]["taught"] for e in timeline if e["kind"] == "recognition_reviewed"]
    assert taught == ["not_this_plate", "nothing"]


async def test_an_exact_plate_match_marked_wrong_teaches_nothing_and_still_alerts(
    desk: Desk, db: Database
) -> None:
    await _listed(desk, "LM 298 AI")
    (alert_id,) = await desk.push(UNSURE_PHOTO.read_bytes())
    (queued,) = await desk.recent("unreviewed")
    assert (queued["possible"], queued["listed_plate"]) == (False, "LM 298 AI")

    wrong = await desk.review(alert_id, {"verdict": "wrong"})
    assert wrong.status_code == 201, wrong.text
    assert wrong.json()["review"]["taught"] == "nothing"
    (reviewed,) = await desk.recent("all")
    assert reviewed["review"]["taught"] == "nothing"
    assert len(await _push_again(desk)) == 1  # read right: the plate still alerts
    assert await db.fetch("SELECT id FROM plate_not_matches") == []
    assert await _taught_in_audit(db) == []
