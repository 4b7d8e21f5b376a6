"""`posbon db upgrade` on both engines, and `posbon db copy` moving a real SQLite deployment to
an empty PostgreSQL database, verified row by row, after which a PostgreSQL node serves the
same alerts to the same tokens."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from server.auth.schemas import Role
from server.db import SQLITE_FILE_NAME, Database
from server.settings import Settings
from tests.conftest import POSTGRES_URL, posbon
from tests.integration.live import serve
from tests.integration.test_server.helpers import create_crew, dispatch, post_alert
from tests.integration.test_server.process import ServerProcess, running

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@contextlib.asynccontextmanager
async def empty_postgres() -> AsyncIterator[str]:
    name = f"posbon_copy_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
async def test_db_upgrade_brings_either_engine_up_to_date(
    settings: Settings, tmp_path: Path
) -> None:
    node = ServerProcess(tmp_path / "var", settings.database_url)
    first = node.command("db", "upgrade")
    again = node.command("db", "upgrade")  # nothing left to apply: still fine
    engine = "PostgreSQL" if settings.uses_postgres else "SQLite"
    assert first == again == f"{engine} schema is up to date"


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_db_copy_moves_every_row_and_a_postgres_node_serves_them(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    async with serve(settings, db) as live:
        admin = await live.token(Role.ADMIN)
        dispatcher = await live.token(Role.DISPATCHER)
        alert = await post_alert(live, dispatcher, address="Registan 2")
        crew_id = await create_crew(live, admin, "Crew 3", 39.65, 66.97)
        await dispatch(live, dispatcher, alert["incident_id"], crew_id)
    await db.close()
    source = Path(settings.data_dir) / SQLITE_FILE_NAME

    async with empty_postgres() as target:
        copied = posbon("db", "copy", "--from", str(source), "--to", target)
        assert copied.returncode == 0, copied.stderr
        assert "copied and verified" in copied.stdout
        assert "alerts: 1 rows" in copied.stdout
        assert "copying" in copied.stderr  # the progress bar

        again = posbon("db", "copy", "--from", str(source), "--to", target)
        assert again.returncode == 1
        assert "empty database" in again.stderr

        with running(tmp_path / "pg", target) as node:
            headers = {"Authorization": f"Bearer {dispatcher}"}  # the token moved too
            alerts = httpx.get(node.http + "/api/v1/alerts", headers=headers, timeout=10)
            made = httpx.post(
                node.http + "/api/v1/alerts",
                headers=headers,
                json={"kind": "panic", "lat": 39.65, "lon": 66.97, "address": "Registan 3"},
                timeout=10,
            )
        assert alerts.status_code == 200
        assert [a["id"] for a in alerts.json()] == [alert["id"]]
        assert made.status_code == 201, made.text
        assert made.json()["id"] > alert["id"]  # ids continue after the copied ones
