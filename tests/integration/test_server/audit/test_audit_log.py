"""The audit log through the real app on a real port: changes leave entries with the item
before and after and who made them, admins read it as JSON or CSV (and that reading is an entry
too), and `posbon audit verify` finds an edited row, a removed row and a removed last row."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import subprocess
import sys
from typing import Any

import httpx
import pytest

from server.audit import retention
from server.audit_routes import CSV_COLUMNS
from server.auth.schemas import Role
from server.db import Database, open_database
from server.settings import Settings
from tests.integration.live import Live, serve

pytestmark = pytest.mark.integration

SITE = {"kind": "school", "address": "Mirzo Ulugbek 12"}


def _posbon(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--data-dir", settings.data_dir]
    if settings.database_url:
        flags += ["--database-url", settings.database_url]
    return subprocess.run(
        [sys.executable, "-m", "server", *args, *flags],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def posbon(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    # In a thread: the server under test runs in this event loop.
    return await asyncio.to_thread(_posbon, settings, *args)


async def _audit(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/audit", params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def _admin(live: Live) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=live.http, headers=live.headers(await live.token(Role.ADMIN)))


async def _site_changes(client: httpx.AsyncClient, number: int = 1) -> int:
    """A site made as "School No. <number>" and renamed to "School No. <number + 1>"."""
    made = await client.post("/api/v1/sites", json={**SITE, "name": f"School No. {number}"})
    assert made.status_code == 201, made.text
    site_id = int(made.json()["id"])
    renamed = {"name": f"School No. {number + 1}"}
    changed = await client.patch(f"/api/v1/sites/{site_id}", json=renamed)
    assert changed.status_code == 200, changed.text
    return site_id


async def test_a_site_change_leaves_an_entry_with_before_after_and_the_actor(live: Live) -> None:
    async with await _admin(live) as client:
        site_id = await _site_changes(client)
        assert (await client.delete(f"/api/v1/sites/{site_id}")).status_code == 204
        entries = await _audit(client, action="site.")
    assert [entry["action"] for entry in entries] == ["site.delete", "site.update", "site.create"]
    deleted, updated, created = entries
    assert updated["target"] == f"site:{site_id}"
    assert updated["before"]["name"] == "School No. 1"
    assert updated["after"]["name"] == "School No. 2"
    assert created["before"] is None
    assert created["after"]["name"] == "School No. 1"
    assert deleted["before"]["name"] == "School No. 2"
    assert deleted["after"] is None
    assert updated["role"] == "admin"
    assert updated["actor"].startswith("admin:test-admin-")
    assert updated["actor_token_id"] is not None
    assert updated["address"] == "127.0.0.1"
    assert updated["outcome"] == "ok"


async def test_a_device_key_change_is_recorded_without_the_key(live: Live) -> None:
    key = "00112233445566778899aabbccddeeff"
    new_key = "ffeeddccbbaa99887766554433221100"
    device = {"account": "001001", "protocol": "dc09", "kind": "panic_button", "key": key}
    async with await _admin(live) as client:
        made = await client.post("/api/v1/devices", json={**device, "encrypted": True})
        assert made.status_code == 201, made.text
        device_id = made.json()["id"]
        patched = await client.patch(f"/api/v1/devices/{device_id}", json={"key": new_key})
        assert patched.status_code == 200, patched.text
        entries = await _audit(client, target=f"device:{device_id}")
    assert [entry["action"] for entry in entries] == [
        "device.key_change",
        "device.update",
        "device.create",
    ]
    assert entries[0]["detail"] == "key changed"
    stored = await live.state.db.fetch("SELECT before, after, detail FROM audit_log")
    assert key not in str(stored)
    assert new_key not in str(stored)


async def test_the_log_downloads_as_csv_and_reading_it_is_audited(live: Live) -> None:
    async with await _admin(live) as client:
        await _site_changes(client)
        answer = await client.get("/api/v1/audit", params={"format": "csv", "action": "site"})
        by_accept = await client.get("/api/v1/audit", headers={"Accept": "text/csv"})
        entries = await _audit(client, action="export.")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[CSV_COLUMNS.index("action")] for row in rows[1:]] == ["site.update", "site.create"]
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert [entry["action"] for entry in entries] == ["export.audit", "export.audit"]
    assert entries[0]["detail"].endswith("entries")


async def test_only_admins_read_the_log_and_bad_filters_are_named(live: Live) -> None:
    dispatcher = live.headers(await live.token(Role.DISPATCHER))
    async with httpx.AsyncClient(base_url=live.http) as client:
        refused = await client.get("/api/v1/audit", headers=dispatcher)
    assert refused.status_code == 403
    async with await _admin(live) as client:
        for params, code in (
            ({"since": "2026-11-01T00:00:00"}, "naive_time"),
            ({"since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"}, "empty_period"),
            ({"action": "Site Update"}, "invalid_audit_action"),
        ):
            answer = await client.get("/api/v1/audit", params=params)
            assert answer.status_code == 400, params
            assert answer.json()["code"] == code
        views = await _audit(client, action="audit.view")
    assert views == []  # a refused read shows nothing, so it is no view


async def _verify(settings: Settings) -> subprocess.CompletedProcess[str]:
    return await posbon(settings, "audit", "verify")


async def test_verify_names_an_edited_row_a_removed_row_and_a_removed_last_row(
    settings: Settings, db: Database
) -> None:
    async with serve(settings, db) as live, await _admin(live) as client:
        for number in (1, 3, 5):
            await _site_changes(client, number)
    ids = [int(row["id"]) for row in await db.fetch("SELECT id FROM audit_log ORDER BY id")]
    assert len(ids) == 7  # the admin's token, then three sites made and renamed
    holds = await _verify(settings)
    assert holds.returncode == 0, holds.stderr
    assert holds.stdout.strip() == "7 entries, chain holds"

    edited = ids[3]
    original = await db.fetch_one("SELECT after FROM audit_log WHERE id = {}", edited)
    assert original is not None
    async with db.write():
        await db.fetch("UPDATE audit_log SET after = {} WHERE id = {}", '{"name":"x"}', edited)
    broken = await _verify(settings)
    assert broken.returncode == 1
    assert f"entry {edited} was edited or a row before it was removed" in broken.stderr
    async with db.write():
        await db.fetch("UPDATE audit_log SET after = {} WHERE id = {}", original["after"], edited)
    assert (await _verify(settings)).returncode == 0

    async with db.write():
        await db.fetch("DELETE FROM audit_log WHERE id = {}", ids[2])
    broken = await _verify(settings)
    assert broken.returncode == 1
    assert f"entry {ids[3]} was edited or a row before it was removed" in broken.stderr

    fresh = await _fresh_log(settings, db)
    async with db.write():
        await db.fetch("DELETE FROM audit_log WHERE id = {}", fresh[-1])
    broken = await _verify(settings)
    assert broken.returncode == 1
    assert (
        f"entry {fresh[-1]}: the log ends at {fresh[-2]} but its head says {fresh[-1]}"
        in broken.stderr
    )


async def _fresh_log(settings: Settings, db: Database) -> list[int]:
    """Empty the log and its head, then write a new intact one; its ids."""
    async with db.write():
        await db.fetch("DELETE FROM audit_log")
        await db.fetch("DELETE FROM audit_head")
    async with serve(settings, db) as live, await _admin(live) as client:
        await _site_changes(client, 7)
    assert (await _verify(settings)).returncode == 0
    return [int(row["id"]) for row in await db.fetch("SELECT id FROM audit_log ORDER BY id")]


async def test_entries_survive_a_restart(settings: Settings, db: Database) -> None:
    async with serve(settings, db) as live, await _admin(live) as client:
        site_id = await _site_changes(client)
    await db.close()
    reopened = await open_database(settings)
    try:
        async with serve(settings, reopened) as live, await _admin(live) as client:
            entries = await _audit(client, target=f"site:{site_id}")
    finally:
        await reopened.close()
    assert [entry["action"] for entry in entries] == ["site.update", "site.create"]
    assert (await _verify(settings)).returncode == 0


async def test_retention_removes_the_oldest_and_the_rest_still_verifies(
    settings: Settings, db: Database
) -> None:
    async with serve(settings, db) as live, await _admin(live) as client:
        await _site_changes(client)
    # A year on, a retention of 30 days leaves only the newest entry (the head's).
    removed = await retention.sweep(db, 30, dt.datetime.now(dt.UTC) + dt.timedelta(days=365))
    assert removed == 2
    assert (await _verify(settings)).stdout.strip() == "1 entries, chain holds"
    async with serve(settings, db) as live, await _admin(live) as client:
        await _site_changes(client, 3)
    assert (await _verify(settings)).stdout.strip() == "4 entries, chain holds"
