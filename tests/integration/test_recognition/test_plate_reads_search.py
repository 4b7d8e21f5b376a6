"""The plate read log's search, audit and retention on a real server, on SQLite and PostgreSQL.

Reads go in the way the recognition path writes them (``PlateReadLog.add`` then its flush); the
searches go through HTTP with real tokens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from server.auth.schemas import Role
from server.db import Database
from server.plates import reads_repository
from server.plates.reads import FrameRead, PlateReadLog
from server.settings import Settings, with_overrides
from tests.eventually import eventually
from tests.integration.live import Live, serve

pytestmark = pytest.mark.integration

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _read(text: str, confidence: float = 0.97) -> FrameRead:
    return FrameRead(text=text, display=text, confidence=confidence)


async def _camera(db: Database, name: str) -> int:
    async with db.write():
        row = await db.fetch_one(
            "INSERT INTO cameras (name, kind, url, enabled, created_at) "
            "VALUES ({}, 'plate', '', true, {}) RETURNING id",
            name,
            NOW,
        )
    assert row is not None
    return int(row["id"])


async def _seed(db: Database) -> dict[str, int]:
    gate, street = await _camera(db, "gate"), await _camera(db, "street")
    log = PlateReadLog()
    log.add(gate, None, [_read("01A123BC")], {}, NOW - dt.timedelta(hours=3))
    log.add(street, 4, [_read("01A123BC"), _read("40B555CD")], {"01A123BC": 77}, NOW)
    log.add(gate, None, [_read("O1A128BC", 0.61)], {}, NOW - dt.timedelta(hours=1))  # O, 8 for B
    log.add(gate, None, [_read("01A123B")], {}, NOW - dt.timedelta(hours=2))  # one dropped
    log.add(gate, None, [_read("01A1BC")], {}, NOW - dt.timedelta(minutes=30))  # two off
    log.add(gate, None, [_read("95X777ZZ")], {}, NOW - dt.timedelta(days=40))
    assert await log.flush(db) == 7
    assert log.buffered == 0
    return {"gate": gate, "street": street}


async def _get(live: Live, token: str, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(token)) as client:
        return await client.get(path, params=params)


async def test_a_search_finds_the_plate_folded_and_one_character_off_newest_first(
    live: Live, db: Database
) -> None:
    cameras = await _seed(db)
    dispatcher = await live.token(Role.DISPATCHER)
    found = await _get(live, dispatcher, "/api/v1/plates/reads", plate="01 a 123-bc")
    assert found.status_code == 200, found.text
    reads = found.json()
    assert [(r["plate"], r["camera"], r["distance"]) for r in reads] == [
        ("01A123BC", "street", 0),
        ("O1A128BC", "gate", 1),  # O as 0 folded; 3 read as 8 is the one edit
        ("01A123B", "gate", 1),
        ("01A123BC", "gate", 0),
    ]
    newest = reads[0]
    assert (newest["site_id"], newest["crop_id"], newest["confidence"]) == (4, 77, 0.97)
    assert reads[1]["crop_id"] is None
    assert dt.datetime.fromisoformat(newest["read_at"]) == NOW
    at_gate = await _get(
        live,
        dispatcher,
        "/api/v1/plates/reads",
        plate="01A123BC",
        camera=cameras["gate"],
        since=(NOW - dt.timedelta(hours=2, minutes=30)).isoformat(),
        until=(NOW - dt.timedelta(minutes=45)).isoformat(),
        limit=1,
    )
    assert [r["plate"] for r in at_gate.json()] == ["O1A128BC"]


async def test_every_search_is_audited_and_only_admins_read_the_audit(
    live: Live, db: Database
) -> None:
    await _seed(db)
    admin, dispatcher = await live.token(Role.ADMIN), await live.token(Role.DISPATCHER)
    crew = await live.token(Role.CAMERA)
    assert (await _get(live, dispatcher, "/api/v1/plates/reads", plate="40B555CD")).is_success
    assert (await _get(live, admin, "/api/v1/plates/reads", plate="nothing9")).json() == []
    assert (await _get(live, crew, "/api/v1/plates/reads", plate="40B555CD")).status_code == 403
    denied = await _get(live, dispatcher, "/api/v1/plates/reads/searches")
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden")
    audit = (await _get(live, admin, "/api/v1/plates/reads/searches")).json()
    assert [(a["role"], a["plate"], a["search_key"], a["results"]) for a in audit] == [
        ("admin", "nothing9", "N0TH1NG9", 0),
        ("dispatcher", "40B555CD", "408555CD", 1),
    ]
    tokens = await db.fetch("SELECT id, name FROM tokens WHERE role = 'dispatcher'")
    assert (audit[1]["token_id"], audit[1]["token_name"]) == (tokens[0]["id"], tokens[0]["name"])
    assert audit[1]["result_limit"] == 100
    searched_at = dt.datetime.fromisoformat(audit[0]["searched_at"])
    assert abs(searched_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"plate": "-"}, "invalid_plate_query"),
        ({"plate": "0123456789ABCDEFG"}, "invalid_plate_query"),
        ({"plate": "01A123BC", "since": "2026-11-01T00:00:00"}, "naive_time"),
        (
            {"plate": "01A123BC", "since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"},
            "empty_period",
        ),
        ({"plate": "01A123BC", "limit": 0}, "invalid_request"),
        ({"plate": "01A123BC", "camera": "gate"}, "invalid_request"),
        ({}, "invalid_request"),
    ],
)
async def test_bad_parameters_are_refused_with_a_code_and_a_sentence_and_not_run(
    live: Live, db: Database, params: dict[str, Any], code: str
) -> None:
    admin = await live.token(Role.ADMIN)
    refused = await _get(live, admin, "/api/v1/plates/reads", **params)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["code"] == code
    assert body["detail"].endswith(".") or ":" in body["detail"]
    assert await db.fetch("SELECT id FROM plate_read_searches") == []


async def test_a_refusal_is_told_in_the_readers_language(live: Live) -> None:
    admin = await live.token(Role.ADMIN)
    async with httpx.AsyncClient(base_url=live.http, headers=live.headers(admin)) as client:
        refused = await client.get(
            "/api/v1/plates/reads", params={"plate": "?"}, headers={"Accept-Language": "uz-Cyrl"}
        )
    assert refused.json()["message"].startswith("Қидириладиган рақамни")


async def test_retention_deletes_only_reads_older_than_the_cutoff(db: Database) -> None:
    await _seed(db)
    removed = await reads_repository.delete_older(db, NOW - dt.timedelta(days=30))
    assert removed == 1
    left = await db.fetch("SELECT plate FROM plate_reads ORDER BY plate")
    assert "95X777ZZ" not in [row["plate"] for row in left]
    assert len(left) == 6
    assert await reads_repository.delete_older(db, NOW - dt.timedelta(days=30)) == 0


async def test_the_running_server_sweeps_reads_past_its_retention_setting(
    settings: Settings, db: Database
) -> None:
    await _seed(db)  # one read 40 days old, the others within 3 hours
    async with serve(with_overrides(settings, plate_read_retention_days=0.5), db):

        async def swept() -> list[dict[str, Any]] | None:
            rows = await db.fetch("SELECT plate FROM plate_reads")
            return rows if len(rows) == 6 else None

        left = await eventually(swept)
    assert "95X777ZZ" not in {row["plate"] for row in left}
