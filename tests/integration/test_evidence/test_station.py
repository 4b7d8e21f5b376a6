"""The upload station: dock folder → metadata synced → resumable upload → verified → deleted."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server.auth.schemas import Role
from server.custody import repository as custody
from server.db import Database
from sync.client import SyncClient
from sync.http_transport import HttpTransport
from sync.station import Station
from sync.station_ledger import FileState, LocalRecording, StationLedger
from sync.tus_upload import TusUploader
from tests.integration.live import Live
from tests.integration.test_evidence.helpers import make_video

pytestmark = pytest.mark.integration

CHUNK_BYTES = 512 * 1024


def _dock(
    folder: Path, name: str, size: int, categories: list[str], sha256: str | None = None
) -> str:
    actual = make_video(folder / f"{name}.mp4", size)
    start = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
    sidecar = {
        "file": f"{name}.mp4",
        "device_serial": "BWC-0042",
        "recorded_start": start.isoformat(),
        "recorded_stop": (start + dt.timedelta(minutes=3)).isoformat(),
        "categories": categories,
        "sha256": sha256 or actual,
    }
    (folder / f"{name}.json").write_text(json.dumps(sidecar))
    return actual


class PowerCut(Exception):
    """Stands for the station losing power in the middle of a file."""


class _Rig:
    def __init__(self, live: Live, token: str, folder: Path) -> None:
        state = folder / ".posbon-station"
        state.mkdir(parents=True, exist_ok=True)
        self.http = httpx.AsyncClient(base_url=live.http)
        self.client = SyncClient.open(
            state / "sync.sqlite3", HttpTransport(live.http, token, client=self.http)
        )
        self.uploader = TusUploader(live.http, token, chunk_bytes=CHUNK_BYTES)
        self.ledger = StationLedger(state / "ledger.sqlite3")
        self.station = Station(folder, self.client, self.uploader, self.ledger)

    async def close(self) -> None:
        await self.uploader.close()
        self.ledger.close()
        self.client.close()
        await self.http.aclose()


async def test_station_uploads_riskiest_first_resumes_and_deletes_only_verified(
    live: Live, db: Database, tmp_path: Path
) -> None:
    token = await live.token(Role.UPLOAD_STATION)
    folder = tmp_path / "dock"
    folder.mkdir()
    _dock(folder, "routine", 3 * 1024 * 1024, ["patrol"])
    _dock(folder, "arrest", 2 * 1024 * 1024, ["arrest"])
    _dock(folder, "damaged", 1024 * 1024, ["patrol"], sha256="0" * 64)

    first = _Rig(live, token, folder)
    order: list[str] = []

    def cut_power(item: LocalRecording):  # type: ignore[no-untyped-def]
        order.append(Path(item.media).stem)

        def progress(sent: int) -> None:
            if Path(item.media).stem == "routine":
                raise PowerCut

        return progress

    with pytest.raises(PowerCut):
        await first.station.run_once(cut_power)
    await first.close()
    assert order == ["arrest", "routine"]  # the arrest is uploaded first though it is smaller

    second = _Rig(live, token, folder)
    (routine,) = [i for i in second.ledger.in_state(FileState.registered) if "routine" in i.media]
    assert routine.upload_url is not None
    assert await second.uploader.offset(routine.upload_url) == CHUNK_BYTES
    await second.station.run_once()
    states = {Path(i.media).stem: i.state for s in FileState for i in second.ledger.in_state(s)}
    await second.close()

    assert states == {
        "arrest": FileState.deleted,
        "routine": FileState.deleted,
        "damaged": FileState.uploaded,
    }
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "damaged.json",
        "damaged.mp4",
    ]
    chains = [await custody.entries(db, rid) for rid in await custody.recordings_with_custody(db)]
    kinds = [tuple(entry.kind.value for entry in chain) for chain in chains]
    assert sorted(kinds) == [
        ("received", "quarantined"),
        ("received", "verified"),
        ("received", "verified"),
    ]
    alerts = await db.fetch("SELECT kind, source FROM alerts")
    assert [(row["kind"], row["source"]) for row in alerts] == [("tamper", "evidence")]


async def test_posbon_station_run_once_from_the_command_line(live: Live, tmp_path: Path) -> None:
    token = await live.token(Role.UPLOAD_STATION)
    folder = tmp_path / "dock"
    folder.mkdir()
    _dock(folder, "clip", 1024 * 1024 + 3, ["traffic_stop"])
    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "server",
            "station",
            "run",
            str(folder),
            "--server",
            live.http,
            "--token",
            token,
            "--once",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "clip.mp4" in done.stderr  # the progress bar
    assert not (folder / "clip.mp4").exists()
