"""What the recognition tests that run real `posbon serve` nodes share: the settings that make
every frame count (k=n=1, every sighting recorded), a node's API with an admin's and a camera's
token, two such nodes on one cluster database, and a wanted plate's frame."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from recognition.evaluation.accuracy import read_plate_truths
from recognition.models import ModelPaths
from tests.datafiles import EU_PLATES
from tests.integration.test_cluster.nodes import two_nodes
from tests.integration.test_server.process import ServerProcess

FRAME_TIMEOUT_S = 180.0  # the first frame on a node loads the models on a small shared machine
WHEEL_DIR = Path(__file__).resolve().parents[3] / "var" / "wheels"


def recognition_env(model_paths: ModelPaths) -> dict[str, str]:
    return {
        "POSBON_MODEL_DIR": str(model_paths.face_detector.parent),
        "POSBON_MODEL_WHEEL_DIR": str(WHEEL_DIR),
        "POSBON_RECOGNITION_CONFIRM_K": "1",
        "POSBON_RECOGNITION_CONFIRM_N": "1",
        "POSBON_RECOGNITION_SIGHTING_INTERVAL_S": "0",
    }


class Api:
    """A node's HTTP API with an admin's and a camera's token."""

    def __init__(self, http: str, admin: str, camera: str) -> None:
        self.http = http
        self.admin = admin
        self.camera = camera

    def _client(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.http,
            headers={"Authorization": f"Bearer {token}"},
            timeout=FRAME_TIMEOUT_S,
        )

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self._client(self.admin) as client:
            response = await client.post(path, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def get(self, path: str, **params: Any) -> Any:
        async with self._client(self.admin) as client:
            response = await client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def push(self, camera_id: int, frame: bytes) -> dict[str, Any]:
        async with self._client(self.camera) as client:
            response = await client.post(
                f"/api/v1/cameras/{camera_id}/frames",
                content=frame,
                headers={"Content-Type": "image/jpeg"},
            )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        assert result["status"] == "analysed", result
        return result


def api_of(node: ServerProcess) -> Api:
    admin = node.command("token", "create", "--role", "admin", "--name", "admin")
    camera = node.command("token", "create", "--role", "camera", "--name", "gate")
    return Api(node.http, admin, camera)


def wanted_frame() -> tuple[str, bytes]:
    truth = read_plate_truths(EU_PLATES)[0]
    return truth.text, (EU_PLATES / truth.file).read_bytes()


@contextmanager
def two_apis(
    tmp_path: Path, database_url: str, model_paths: ModelPaths, env: Mapping[str, str]
) -> Iterator[tuple[Api, Api]]:
    """Nodes A and B with recognition (`env`: more settings for both), as the APIs of one
    admin and one camera: the database is one, so are the tokens."""
    with two_nodes(tmp_path, database_url, recognition_env(model_paths) | dict(env)) as (a, b):
        first = api_of(a.process)
        yield first, Api(b.http, first.admin, first.camera)
