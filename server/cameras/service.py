"""Camera registry actions; a change wakes the pull workers' supervisor."""

from __future__ import annotations

import enum
import time
from typing import Any, Final

import msgspec

from server.cameras import repository
from server.cameras.schemas import Camera, CameraConfig, CameraHealth, CameraIn, CameraPatch
from server.db import Database
from server.errors import NotFound
from server.recognition.runtime import Recognition
from server.sites.repository import sites

MAX_CAMERAS_LISTED: Final = 10_000


async def get_config(db: Database, camera_id: int) -> CameraConfig:
    camera = await repository.find(db, camera_id)
    if camera is None:
        raise NotFound(f"There is no camera with id {camera_id}.")
    return camera


async def _check_site(site_id: int | None) -> None:
    if site_id is not None:
        await sites.get(site_id)  # raises the 404


async def create_camera(rec: Recognition, data: CameraIn) -> Camera:
    await _check_site(data.site_id)
    async with rec.db.write():
        camera_id = await repository.insert(rec.db, data)
    rec.cameras_changed()
    return (await get_config(rec.db, camera_id)).public()


async def update_camera(rec: Recognition, camera_id: int, patch: CameraPatch) -> Camera:
    await get_config(rec.db, camera_id)
    changes: dict[str, Any] = {
        name: value.value if isinstance(value, enum.Enum) else value
        for name, value in msgspec.structs.asdict(patch).items()
        if value is not msgspec.UNSET
    }
    if "site_id" in changes:
        await _check_site(changes["site_id"])
    async with rec.db.write():
        await repository.update(rec.db, camera_id, changes)
    rec.forget_camera(camera_id)  # new thresholds, cooldown or stream: start afresh
    rec.cameras_changed()
    return (await get_config(rec.db, camera_id)).public()


async def delete_camera(rec: Recognition, camera_id: int) -> None:
    await get_config(rec.db, camera_id)
    async with rec.db.write():
        await repository.delete(rec.db, camera_id)
    rec.forget_camera(camera_id)
    rec.cameras_changed()


def _health(rec: Recognition, camera: CameraConfig) -> CameraHealth:
    status = rec.stats(camera.id).snapshot(time.monotonic()) if rec.has_stats(camera.id) else None
    return CameraHealth(camera_id=camera.id, name=camera.name, status=status)


async def health(rec: Recognition) -> list[CameraHealth]:
    cameras = await repository.search(rec.db, limit=MAX_CAMERAS_LISTED, offset=0)
    return [_health(rec, camera) for camera in cameras]


async def one_health(rec: Recognition, camera_id: int) -> CameraHealth:
    return _health(rec, await get_config(rec.db, camera_id))
