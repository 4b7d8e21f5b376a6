"""Migration 0012 moves recordings synced before owner scopes existed into their owners' scopes,
so an upgraded station still finds its own recordings, and only those."""

from __future__ import annotations

import importlib
import uuid

import msgspec
import pytest

from server.db import Database

pytestmark = pytest.mark.integration

RESCOPE = importlib.import_module("server.migrations.0012_recording_scopes")


def _stamp(value: object, device: uuid.UUID) -> dict[str, object]:
    return {"value": value, "hlc": 1, "device_id": str(device), "base_hlc": 0}


async def _recording(db: Database, device: uuid.UUID, scopes: list[str], **curated: object) -> str:
    entity_id = str(uuid.uuid4())
    fields = {"sha256": _stamp("ab" * 32, device)} | {
        name: _stamp(value, device) for name, value in curated.items()
    }
    async with db.write():
        await db.fetch(
            "INSERT INTO sync_entities (kind, entity_id, fields, scopes) VALUES ({}, {}, {}, {})",
            "recording",
            entity_id,
            msgspec.json.encode(fields).decode(),
            msgspec.json.encode(scopes).decode(),
        )
        for scope in scopes:
            await db.fetch(
                "INSERT INTO sync_members (scope, entity_id, kind) VALUES ({}, {}, {})",
                scope,
                entity_id,
                "recording",
            )
    return entity_id


async def _members(db: Database, entity_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT scope FROM sync_members WHERE entity_id = {} ORDER BY scope", entity_id
    )
    return [str(row["scope"]) for row in rows]


async def test_old_recordings_join_their_owners_scopes_and_restricted_ones_leave_the_open_ones(
    db: Database,
) -> None:
    device = uuid.uuid4()
    linked = await _recording(db, device, ["incident:7", "recordings"])
    restricted = await _recording(
        db, device, ["incident:7", "recordings"], access_class="restricted"
    )

    await RESCOPE.rescope()
    await RESCOPE.rescope()  # a second run finds nothing to do

    own = f"recordings:{device}"
    assert await _members(db, linked) == ["incident:7", "recordings", own]
    assert await _members(db, restricted) == [own, "recordings:restricted"]
    row = await db.fetch_one("SELECT scopes FROM sync_entities WHERE entity_id = {}", restricted)
    assert row is not None
    assert sorted(msgspec.json.decode(row["scopes"])) == [own, "recordings:restricted"]
