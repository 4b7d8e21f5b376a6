"""Crops of recognition alerts: files under <data_dir>/crops, rows in recognition_crops.

A crop exists only for a face or plate that raised an alert. Files sit in one folder per UTC day
so the retention sweep can remove whole days; rows older than the retention period are deleted
with their files. Every view of a face crop is written to its incident's hash-chained timeline
(who looked, when) before the image is sent.

Writes: recognition_crops
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
import shutil
import uuid
from pathlib import Path
from typing import Final

import msgspec

from server.alerts import repository as alerts_repository
from server.audit.log import record
from server.auth.schemas import Principal
from server.db import Database
from server.errors import NotFound
from server.incidents import repository as incidents_repository
from server.incidents import service as incidents
from server.incidents.timeline import EntryFacts
from server.sql import insert_returning_id

logger = logging.getLogger(__name__)

CROPS_DIR_NAME: Final = "crops"
_DAY_FORMAT: Final = "%Y-%m-%d"


class CropKind(enum.StrEnum):
    FACE = "face"
    PLATE = "plate"


class Crop(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    alert_id: int | None
    camera_id: int | None
    kind: CropKind
    path: str
    created_at: dt.datetime


def crops_root(data_dir: Path) -> Path:
    return data_dir / CROPS_DIR_NAME


def crop_url(crop_id: int) -> str:
    return f"/api/v1/recognition/crops/{crop_id}"


def write_file(root: Path, data: bytes, now: dt.datetime) -> str:
    """Store a JPEG (blocking); returns its path relative to ``root``."""
    day = root / now.strftime(_DAY_FORMAT)
    day.mkdir(parents=True, exist_ok=True)
    path = day / f"{uuid.uuid4().hex}.jpg"
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return str(path.relative_to(root))


async def insert(
    db: Database, kind: CropKind, camera_id: int, path: str, embedding: bytes | None
) -> int:
    return await insert_returning_id(
        db,
        "INSERT INTO recognition_crops (camera_id, kind, path, embedding, created_at) "
        "VALUES ({}, {}, {}, {}, {})",
        camera_id,
        kind.value,
        path,
        embedding,
        dt.datetime.now(dt.UTC),
    )


async def link(db: Database, crop_id: int, alert_id: int) -> None:
    await db.fetch("UPDATE recognition_crops SET alert_id = {} WHERE id = {}", alert_id, crop_id)


async def find(db: Database, crop_id: int) -> Crop | None:
    row = await db.fetch_one(
        "SELECT id, alert_id, camera_id, kind, path, created_at FROM recognition_crops "
        "WHERE id = {}",
        crop_id,
    )
    return None if row is None else msgspec.convert(row, Crop, strict=False)


async def embedding_of(db: Database, crop_id: int) -> bytes | None:
    row = await db.fetch_one(
        "SELECT embedding FROM recognition_crops WHERE id = {} AND kind = {}",
        crop_id,
        CropKind.FACE.value,
    )
    return None if row is None or row["embedding"] is None else bytes(row["embedding"])


async def log_view(db: Database, crop: Crop, who: Principal) -> None:
    """Put this view of a face image on its incident's timeline (inside one write)."""
    async with db.write():
        alert = None if crop.alert_id is None else await alerts_repository.find(db, crop.alert_id)
        if alert is None or alert.incident_id is None:
            raise NotFound(f"Crop {crop.id} belongs to no alert.")
        await incidents_repository.find(db, alert.incident_id, lock=True)
        await incidents.record(
            db,
            EntryFacts(
                incident_id=alert.incident_id,
                at=dt.datetime.now(dt.UTC),
                actor=who.actor,
                kind="face_image_viewed",
                data={"crop_id": crop.id, "alert_id": alert.id},
            ),
        )
        await record(
            db,
            action="face_crop.view",
            actor=who,
            target=f"crop:{crop.id}",
            after={"alert_id": alert.id, "incident_id": alert.incident_id},
        )


async def sweep(db: Database, root: Path, retention: dt.timedelta, now: dt.datetime) -> int:
    """Delete crops older than ``retention``, rows and files; returns how many rows went."""
    cutoff = now - retention
    async with db.write():
        rows = await db.fetch(
            "DELETE FROM recognition_crops WHERE created_at < {} RETURNING path", cutoff
        )
    for row in rows:
        (root / str(row["path"])).unlink(missing_ok=True)
    _remove_old_days(root, cutoff)
    return len(rows)


def _remove_old_days(root: Path, cutoff: dt.datetime) -> None:
    """Whole day folders before the cutoff's day (files whose row never committed, too)."""
    if not root.is_dir():
        return
    last_kept = cutoff.strftime(_DAY_FORMAT)
    for day in root.iterdir():
        if day.is_dir() and day.name < last_kept:
            shutil.rmtree(day, ignore_errors=True)
            logger.info("removed expired crops of %s", day.name)


async def view(db: Database, data_dir: Path, crop_id: int, who: Principal) -> bytes:
    """The crop's JPEG; a face crop's view is logged first (no log, no image)."""
    crop = await find(db, crop_id)
    if crop is None:
        raise NotFound(f"There is no crop with id {crop_id} (crops expire after the retention).")
    path = crops_root(data_dir) / crop.path
    try:
        image = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError as err:
        raise NotFound(f"The image of crop {crop_id} has expired.") from err
    if crop.kind is CropKind.FACE:
        await log_view(db, crop, who)
    return image
