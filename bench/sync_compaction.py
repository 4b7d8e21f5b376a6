"""What change-log compaction buys: log rows before and after, and a returning tablet's catch-up.

A tablet edits 1,000 reports 20 times each (every edit seen by the next, as on one device), so
the server's log holds 40,000 changes (each edit lands in the crew's and the incident's scope)
for 2,000 current rows. Then:

* catch-up before: a tablet that was offline since the start pulls every change (client library,
  stored in its SQLite file) - what it pays while the log is whole;
* ``posbon sync compact --sync-log-retention-s 0``, timed as a command (process start included);
* catch-up after: the same tablet is told ``reset`` and fetches the two scopes' snapshots instead.

    .venv/bin/python -m bench.sync_compaction                   # SQLite
    .venv/bin/python -m bench.sync_compaction --engine postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import wait_healthy
from bench.sync import SCOPES, _database, _posbon, _seeded, _timed, _token
from sync.client import SyncClient
from sync.entities import EntityKind, IncidentReportFields
from sync.http_transport import HttpTransport
from sync.mutations import IncidentReportUpsertV1
from sync.server_ids import crew_uuid, incident_uuid

REPORTS = 1_000
EDITS_PER_REPORT = 20
CATCH_UP_ROUNDS = 3


async def _write_history(transport: HttpTransport, folder: Path) -> None:
    writer = SyncClient.open(folder / "writer.sqlite3", transport)
    ids = [writer.new_id() for _ in range(REPORTS)]
    for edit in range(EDITS_PER_REPORT):
        fields = IncidentReportFields(
            incident_id=incident_uuid(1),
            crew_id=crew_uuid(1),
            narrative=f"Edit {edit}: two men at the gate, one left towards the bazaar.",
        )
        bodies = [
            {"entity_id": report_id, "fields": fields, "base": _seen(writer, report_id)}
            for report_id in ids
        ]
        writer.enqueue_many(IncidentReportUpsertV1, bodies)  # one transaction, as edit_report
        await writer.sync()
    assert writer.rejected() == []
    writer.close()


def _seen(writer: SyncClient, report_id: uuid.UUID) -> dict[str, int]:
    """The stamps this device saw, as `SyncClient.edit_report` sends them: no false conflicts."""
    state = writer.get(EntityKind.INCIDENT_REPORT, report_id)
    return {} if state is None else {name: stamp.hlc for name, stamp in state.fields.items()}


async def _catch_up(transport: HttpTransport, folder: Path, label: str) -> list[float]:
    seconds: list[float] = []
    for round_ in range(CATCH_UP_ROUNDS):
        tablet = _seeded(SyncClient.open(folder / f"{label}-{round_}.sqlite3", transport))
        seconds.append(await _timed(tablet.pull))
        assert len(tablet.store.all_confirmed()) == REPORTS
        tablet.close()
    return seconds


def _compact(env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "server", "sync", "compact", "--sync-log-retention-s", "0"],
        env={**os.environ, **env, "POSBON_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


async def _measure(base: str, token: str, folder: Path, env: dict[str, str]) -> None:
    transport = HttpTransport(base, token, timeout_s=120)
    try:
        await _write_history(transport, folder)
        before = await _catch_up(transport, folder, "before")
        compact_s, summary = await asyncio.to_thread(_compact, env)
        after = await _catch_up(transport, folder, "after")
    finally:
        await transport.aclose()
    print(f"history: {REPORTS} reports x {EDITS_PER_REPORT} edits, scopes {sorted(SCOPES)}")
    print(f"compaction: {summary} ({compact_s:.2f} s for the command)")
    for what, values in (
        ("catch-up by pull, whole log", before),
        ("catch-up by reset + snapshot", after),
    ):
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(f"{what:<32} median {statistics.median(values):.2f} s ({spread})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _database(args.engine, Path(tmp)) as env:
        token = _token(env)
        port = 19000 + os.getpid() % 1000
        server = _posbon(env, "serve", "--http-port", str(port))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            print(f"engine: {args.engine}")
            asyncio.run(_measure(base, token, Path(tmp), env))
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
