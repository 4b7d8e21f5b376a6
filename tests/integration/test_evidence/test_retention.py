"""Retention with a one-minute category and a clock the test moves: expired recordings are
deleted from the evidence directory and from an S3 bucket, held ones are kept until their hold
is released, a tombstone answers 410, and every step is on the recording's custody log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.db import Database
from server.evidence import retention_job
from server.settings import Settings, with_overrides
from tests.integration.live import Live, serve
from tests.integration.test_evidence.retention_support import (
    People,
    after_a_minute,
    default_categories,
    kinds,
    minute_category,
    retention_of,
    shorten,
    upload,
)
from tests.integration.test_evidence.s3_server import client

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
async def categories(db: Database) -> None:
    await default_categories(db)


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


@pytest.fixture(params=["directory", "s3"])
async def on_store(
    request: pytest.FixtureRequest, settings: Settings, db: Database
) -> AsyncIterator[Live]:
    """The live server keeping evidence in its directory, or in a bucket."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        client(endpoint).make_bucket("evidence")
        settings = with_overrides(
            settings, evidence_s3_url="s3://evidence/cam", evidence_s3_endpoint=endpoint
        )
    async with serve(settings, db) as live:
        yield live


async def test_expired_evidence_is_deleted_held_evidence_kept_each_step_on_custody(
    on_store: Live, db: Database, tmp_path: Path
) -> None:
    live = on_store
    backend = live.uploads.store.backend
    people = await People.of(live)
    await minute_category(people)
    expiring, held, in_incident = [await upload(live, tmp_path) for _ in range(3)]
    for recording_id in (expiring, held, in_incident):
        await shorten(people, recording_id)
    async with people.client(people.desk) as desk:
        alert = await desk.post("/api/v1/alerts", json={"kind": "panic", "lat": 39.6, "lon": 66.9})
        incident_id = alert.json()["incident_id"]
        placed = await desk.post(f"/api/v1/recordings/{held}/holds", json={"reason": "complaint"})
        on_incident = await desk.post(
            f"/api/v1/incidents/{incident_id}/holds", json={"reason": "prosecutor's request"}
        )
        # Linked after the hold was placed: the incident's hold covers it all the same.
        short = {"category": "test_minute", "reason": "minor"}
        await desk.post(f"/api/v1/incidents/{incident_id}/retention", json=short)
        linked = await desk.post(
            f"/api/v1/recordings/{in_incident}/links", json={"incident_id": incident_id}
        )
    assert (placed.status_code, on_incident.status_code, linked.status_code) == (201, 201, 204)
    for recording_id in (expiring, held, in_incident):
        assert (await retention_of(people, recording_id))["category"] == "test_minute"

    report = await retention_job.run_once(db, backend, after_a_minute())

    assert (report.expired, report.held, report.deleted, report.files_deleted) == (3, 2, 1, 1)
    gone = await retention_of(people, expiring)
    assert gone["state"] == "deleted"
    assert gone["deleted"]["reason"].startswith("retention ended: test_minute")
    assert (await kinds(db, expiring))[-1] == "deleted"
    assert (await kinds(db, expiring)).count("deleted") == 1
    assert (await retention_of(people, held))["held"] is True
    assert "hold_placed" in await kinds(db, held)
    assert "hold_placed" in await kinds(db, in_incident)
    async with people.client(people.first) as admin:
        played = await admin.get(f"/api/v1/recordings/{expiring}/file")
        kept = await admin.get(f"/api/v1/recordings/{held}/file")
        check = await admin.get(f"/api/v1/recordings/{expiring}/custody/verify")
        hold_id = placed.json()["id"]
        released = await admin.post(
            f"/api/v1/evidence/holds/{hold_id}/release", json={"reason": "complaint closed"}
        )
        again = await admin.post(
            f"/api/v1/evidence/holds/{hold_id}/release", json={"reason": "twice"}
        )
    assert played.status_code == 410
    assert played.json()["code"] == "evidence_deleted"
    assert "retention ended" in played.json()["detail"]
    assert kept.status_code == 200
    assert check.json()["intact"] is True
    assert check.json()["file_deleted_at"] is not None
    assert released.status_code == 200, released.text
    assert again.json()["code"] == "hold_released"

    later = await retention_job.run_once(db, backend, after_a_minute())

    assert (later.deleted, later.held) == (1, 1)
    assert (await kinds(db, held))[-2:] == ["hold_released", "deleted"]
    assert (await retention_of(people, in_incident))["state"] == "kept"
    assert await _files_left(live) == 1  # only the incident's recording is still stored


async def _files_left(live: Live) -> int:
    """How many of the verified files the store still holds (asked of the store itself)."""
    backend = live.uploads.store.backend
    rows = await live.state.db.fetch("SELECT DISTINCT sha256 FROM uploads WHERE state = 'verified'")
    return sum([await backend.size_of(str(row["sha256"])) is not None for row in rows])


async def test_a_shorter_category_waits_for_a_second_person(
    live: Live, db: Database, tmp_path: Path
) -> None:
    people = await People.of(live)
    await minute_category(people)
    recording_id = await upload(live, tmp_path)
    path = f"/api/v1/recordings/{recording_id}/retention"
    before = await retention_of(people, recording_id)
    async with people.client(people.first) as first:
        asked = await first.post(path, json={"category": "test_minute", "reason": "false alarm"})
        mine = await first.post(f"{path}/confirm", json={})
    async with people.client(people.desk) as desk:
        by_desk = await desk.post(f"{path}/confirm", json={})
    assert before["category"] == "no_incident"
    assert asked.status_code == 202
    assert asked.json()["pending"]["category"] == "test_minute"
    assert asked.json()["expires_at"] == before["expires_at"]  # nothing shorter yet
    assert (mine.status_code, mine.json()["code"]) == (409, "retention_same_person")
    assert by_desk.status_code == 403

    report = await retention_job.run_once(db, live.uploads.store.backend, after_a_minute())
    assert report.deleted == 0  # a pending shortening deletes nothing

    async with people.client(people.second) as second:
        confirmed = await second.post(f"{path}/confirm", json={"reason": "agreed"})
        nothing = await second.post(f"{path}/confirm", json={})
        longer = await second.post(path, json={"category": "homicide", "reason": "a death"})
    assert confirmed.status_code == 200
    assert confirmed.json()["pending"] is None
    assert confirmed.json()["expires_at"] < before["expires_at"]
    assert nothing.json()["code"] == "retention_nothing_pending"
    assert longer.status_code == 200  # longer: at once, by one person
    assert longer.json()["category"] == "homicide"
    chain = await kinds(db, recording_id)
    assert chain[2:] == [  # after received, verified: the default category goes unsaid
        "retention_changed",
        "retention_confirmed",
        "retention_changed",
    ]


async def test_categories_are_listed_created_and_only_lengthened(live: Live) -> None:
    people = await People.of(live)
    async with people.client(people.first) as admin:
        listed = (await admin.get("/api/v1/evidence/retention/categories")).json()
        made = await admin.post(
            "/api/v1/evidence/retention/categories", json={"name": "arson", "duration_s": 3600}
        )
        twice = await admin.post(
            "/api/v1/evidence/retention/categories", json={"name": "arson", "duration_s": 3600}
        )
        shorter = await admin.patch(
            "/api/v1/evidence/retention/categories/arson", json={"duration_s": 60, "reason": "x"}
        )
        longer = await admin.patch(
            "/api/v1/evidence/retention/categories/arson",
            json={"duration_s": 7200, "reason": "policy"},
        )
    async with people.client(people.desk) as desk:
        refused = await desk.post(
            "/api/v1/evidence/retention/categories", json={"name": "x", "duration_s": 60}
        )
    days = {found["name"]: found["duration_s"] // 86_400 for found in listed}
    assert days == {"no_incident": 30, "incident": 3 * 365, "homicide": 99 * 365}
    assert made.status_code == 201
    assert twice.json()["code"] == "retention_category_exists"
    assert shorter.json()["code"] == "retention_category_shorter"
    assert longer.json()["duration_s"] == 7200
    assert refused.status_code == 403
