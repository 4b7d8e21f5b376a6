"""`posbon station run DIR`: wiring of the upload station with progress bars (tqdm)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
from tqdm import tqdm

from sync.client import SyncClient
from sync.http_transport import HttpTransport
from sync.station import Station
from sync.station_ledger import LocalRecording, StationLedger
from sync.tus_upload import Progress, TusUploader

HTTP_TIMEOUT_S = 60.0


def _bars(item: LocalRecording) -> Progress:
    bar = tqdm(
        total=item.size_bytes,
        unit="B",
        unit_scale=True,
        file=sys.stderr,
        desc=Path(item.media).name,
        leave=True,
    )

    def advance(bytes_sent: int) -> None:
        bar.update(bytes_sent)

    return advance


async def run_station(
    folder: Path, server: str, token: str, *, once: bool, interval_s: float
) -> int:
    state = folder / ".posbon-station"
    state.mkdir(parents=True, exist_ok=True)
    http = httpx.AsyncClient(base_url=server, timeout=HTTP_TIMEOUT_S)
    client = SyncClient.open(state / "sync.sqlite3", HttpTransport(server, token, client=http))
    uploader = TusUploader(server, token)
    ledger = StationLedger(state / "ledger.sqlite3")
    station = Station(folder, client, uploader, ledger)
    try:
        if once:
            await station.run_once(_bars)
        else:
            await station.run(interval_s, asyncio.Event(), _bars)
    finally:
        await uploader.close()
        ledger.close()
        client.close()
        await http.aclose()
    return 0
