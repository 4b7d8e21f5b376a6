"""What the retention tests share: recordings uploaded and verified through the real doors, a
short category moved onto them by two people, and a store that fails mid-deletion."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from server.auth.schemas import Role
from server.custody import repository as custody
from server.db import Database
from server.uploads.evidence.base import EvidenceBackend
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import (
    make_video,
    register_recording,
    upload_with_tuspy,
)

RECORDING_BYTES = 256 * 1024 + 11
MINUTE_S = 60


class People:
    """Two admins and a dispatcher: the second person of a two-person rule is real."""

    def __init__(self, live: Live, first: str, second: str, desk: str) -> None:
        self.live = live
        self.first, self.second, self.desk = first, second, desk

    @classmethod
    async def of(cls, live: Live) -> People:
        return cls(
            live,
            await live.token(Role.ADMIN),
            await live.token(Role.ADMIN),
            await live.token(Role.DISPATCHER),
        )

    def client(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.live.http, headers=self.live.headers(token))


async def upload(live: Live, folder: Path, video: Path | None = None) -> str:
    """A recording synced and uploaded as a station does it; its id. Give `video` to upload
    the same bytes again as another recording."""
    station = await live.token(Role.UPLOAD_STATION)
    if video is None:
        video = folder / f"{uuid.uuid4().hex}.mp4"
        make_video(video, RECORDING_BYTES)
    sha256 = await asyncio.to_thread(_sha256, video)
    recording_id = await register_recording(live, station, video, sha256)
    await asyncio.to_thread(upload_with_tuspy, live, station, video, recording_id)
    return str(recording_id)


def _sha256(path: Path) -> str:
    import hashlib  # noqa: PLC0415

    return hashlib.sha256(path.read_bytes()).hexdigest()


async def minute_category(people: People, name: str = "test_minute") -> None:
    async with people.client(people.first) as admin:
        made = await admin.post(
            "/api/v1/evidence/retention/categories",
            json={"name": name, "title": "one minute", "duration_s": MINUTE_S},
        )
    assert made.status_code == 201, made.text


async def shorten(people: People, recording_id: str, category: str = "test_minute") -> None:
    """The dispatcher asks for the short category and an admin confirms it."""
    path = f"/api/v1/recordings/{recording_id}/retention"
    async with people.client(people.desk) as desk:
        asked = await desk.post(path, json={"category": category, "reason": "no incident found"})
    assert asked.status_code == 202, asked.text
    async with people.client(people.first) as admin:
        confirmed = await admin.post(f"{path}/confirm", json={"reason": "checked"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["category"] == category


async def kinds(db: Database, recording_id: str) -> list[str]:
    return [entry.kind.value for entry in await custody.entries(db, recording_id)]


def after_a_minute() -> dt.datetime:
    """A clock past the one-minute category of everything uploaded so far."""
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2 * MINUTE_S)


class PowerCut(Exception):
    """The process 'dies' here."""


class CutsOut(EvidenceBackend):
    """The real store, but the first deletion stops the run: before the file is removed, or
    right after (before the job could record it)."""

    def __init__(self, real: EvidenceBackend, *, after_removing: bool) -> None:
        self.real = real
        self.after_removing = after_removing
        self.cut = False

    async def delete(self, sha256: str) -> None:
        if not self.cut and not self.after_removing:
            self.cut = True
            raise PowerCut
        await self.real.delete(sha256)
        if not self.cut:
            self.cut = True
            raise PowerCut

    async def keep(self, sha256: str, source: Path) -> None:
        await self.real.keep(sha256, source)

    async def quarantine(self, name: str, source: Path) -> None:
        await self.real.quarantine(name, source)

    async def size_of(self, sha256: str) -> int | None:
        return await self.real.size_of(sha256)

    def read(self, sha256: str, start: int, length: int) -> AsyncIterator[bytes]:
        return self.real.read(sha256, start, length)

    async def reachable(self) -> bool:
        return await self.real.reachable()

    def where(self, sha256: str) -> str:
        return self.real.where(sha256)


async def retention_of(people: People, recording_id: str) -> dict[str, Any]:
    async with people.client(people.first) as admin:
        shown = await admin.get(f"/api/v1/recordings/{recording_id}/retention")
    assert shown.status_code == 200, shown.text
    result: dict[str, Any] = shown.json()
    return result


async def default_categories(db: Database) -> None:
    """The categories migration 0014 seeds, again: the PostgreSQL fixture empties every table
    between tests (SQLite gets a new file, so there this changes nothing)."""
    migration = importlib.import_module("server.migrations.0014_retention")
    now = "now()" if not db.is_sqlite else "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')"
    async with db.write():
        for statement in migration.seed(now):
            await db.fetch(statement)
