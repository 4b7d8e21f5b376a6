"""Property-based API test: schemathesis generates requests from /schema; none may get a 5xx."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server.db import Database
from server.settings import Settings
from tests.integration.test_server.process import ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 25


def _seed(server: ServerProcess, admin: str, dispatcher: str) -> None:
    with httpx.Client(base_url=server.http) as client:
        site = client.post(
            "/api/v1/sites",
            headers={"Authorization": f"Bearer {admin}"},
            json={"name": "School No. 1", "lat": 39.658, "lon": 66.954},
        )
        client.post(
            "/api/v1/crews",
            headers={"Authorization": f"Bearer {admin}"},
            json={"name": "Berkut-1", "lat": 39.65, "lon": 66.96},
        )
        client.post(
            "/api/v1/alerts",
            headers={"Authorization": f"Bearer {dispatcher}"},
            json={"kind": "panic", "site_id": site.json()["id"]},
        )


@pytest.mark.parametrize("role", ["admin", "dispatcher"])
def test_no_generated_request_gets_a_server_error(
    settings: Settings, db: Database, tmp_path: Path, role: str
) -> None:
    server = ServerProcess(tmp_path / "var", settings.database_url)
    admin = server.command("token", "create", "--role", "admin", "--name", "a")
    dispatcher = server.command("token", "create", "--role", "dispatcher", "--name", "d")
    token = admin if role == "admin" else dispatcher
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st is not None, "schemathesis is a dev dependency"
    server.start()
    try:
        _seed(server, admin, dispatcher)
        done = subprocess.run(
            [
                st,
                "run",
                f"{server.http}/schema/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error",
                "--phases",
                "coverage,fuzzing",
                "--max-examples",
                str(EXAMPLES_PER_OPERATION),
                "--seed",
                "20261125",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout[-6000:]
    assert "passed" in done.stdout
