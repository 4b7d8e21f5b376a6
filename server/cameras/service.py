"""Camera registry actions; a change wakes the pull workers' supervisor."""

from __future__ import annotations

import enum
import time
from typing import Any, Final, Protocol, runtime_checkable

import msgspec
from litestar.di import NamedDependency

from recognition.cameras import CameraStats
from server.auth.scope import ANYTHING, Condition
from server.cameras import repository
from server.cameras.schemas import (
    Camera,
    CameraConfig,
    CameraHealth,
    CameraIn,
    CameraPatch,
    FrameResult,
)
from server.db import Database
from server.errors import NotFound
from server.sites.repository import sites

MAX_CAMERAS_LISTED: Final = 10_000


@runtime_checkable  # litestar checks the injected dependency against it
class CameraRuntime(Protocol):
    """What the registry needs from the recognition runtime above it (server.recognition's
    ``Recognition``), declared here so that the registry never imports it."""

    db: Database

    def cameras_changed(self) -> None:
        """Wake the pull workers' supervisor: the registry changed."""

    def forget_camera(self, camera_id: int) -> None:
        """Drop the camera's figures and cooldowns: it went or changed."""

    def has_stats(self, camera_id: int) -> bool: ...

    def stats(self, camera_id: int) -> CameraStats: ...

    async def push_frame(self, camera: CameraConfig, image: bytes) -> FrameResult:
        """Analyse a frame the camera pushed (or drop it when a newer one overtook it)."""


CameraRuntimeDep = NamedDependency[CameraRuntime]
"""How a camera handler asks for the runtime: `recognition: CameraRuntimeDep`."""


async def get_config(db: Database, camera_id: int) -> CameraConfig:
    camera = await repository.find(db, camera_id)
    if camera is None:
        raise NotFound(f"There is no camera with id {camera_id}.")
    return camera


async def _check_site(db: Database, site_id: int | None) -> None:
    if site_id is not None:
        await sites.get(db, site_id)  # raises the 404


async def create_camera(rec: CameraRuntime, data: CameraIn) -> Camera:
    await _check_site(rec.db, data.site_id)
    async with rec.db.write():
        camera_id = await repository.insert(rec.db, data)
    rec.cameras_changed()
    return (await get_config(rec.db, camera_id)).public()


async def update_camera(rec: CameraRuntime, camera_id: int, patch: CameraPatch) -> Camera:
    await get_config(rec.db, camera_id)
    changes: dict[str, Any] = {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in msgspec.structs.asdict(patch).items()
        if value is not msgspec.UNSET
    }
    if "site_id" in changes:
        await _check_site(rec.db, changes["site_id"])
    async with rec.db.write():
        await repository.update(rec.db, camera_id, changes)
    rec.forget_camera(camera_id)  # new thresholds, cooldown or stream: start afresh
    rec.cameras_changed()
    return (await get_config(rec.db, camera_id)).public()


async def delete_camera(rec: CameraRuntime, camera_id: int) -> None:
    await get_config(rec.db, camera_id)
    async with rec.db.write():
        await repository.delete(rec.db, camera_id)
    rec.forget_camera(camera_id)
    rec.cameras_changed()


def _health(rec: CameraRuntime, camera: CameraConfig) -> CameraHealth:
    status = rec.stats(camera.id).snapshot(time.monotonic()) if rec.has_stats(camera.id) else None
    return CameraHealth(camera_id=camera.id, name=camera.name, status=status)


async def health(rec: CameraRuntime, within: Condition = ANYTHING) -> list[CameraHealth]:
    """Every camera's health; `within` (on `c`) is a scoped caller's reach."""
    cameras = await repository.search(rec.db, limit=MAX_CAMERAS_LISTED, offset=0, within=within)
    return [_health(rec, camera) for camera in cameras]


async def one_health(rec: CameraRuntime, camera_id: int) -> CameraHealth:
    return _health(rec, await get_config(rec.db, camera_id))
