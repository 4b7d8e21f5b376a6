"""Offline-sync benchmark: push 10,000 mutations, pull 100,000 changes, snapshot 100,000 rows.

The server runs as its own process (`posbon serve`) on SQLite (or a fresh PostgreSQL database
with `--engine postgres`); this driver is the client, over loopback, with the real client
library (`sync.client.SyncClient` + `HttpTransport`, its own SQLite file in WAL mode).

* push: a device has 10,000 report upserts queued (enqueued beforehand, not timed) and pushes
  them; each becomes two changes (its crew's scope and its incident's). Five rounds, so the
  server holds 100,000 changes afterwards.
* pull (protocol): a fresh device pulls all 100,000 changes by cursor, pages of 1,000, decoding
  each page but storing nothing - the server and wire cost.
* pull (client): the same through the client library, which also merges every change into its
  SQLite store, one transaction per page - what a tablet coming back online pays.
* snapshot: a fresh device fetches both scopes (100,000 rows) as resumable NDJSON streams.

    .venv/bin/python -m bench.sync                   # SQLite
    .venv/bin/python -m bench.sync --engine postgres
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import wait_healthy
from sync.client import SyncClient
from sync.entities import IncidentReportFields
from sync.http_transport import HttpTransport
from sync.messages import SCHEMA_VERSION, PullRequest
from sync.mutations import IncidentReportUpsertV1
from sync.server_ids import crew_uuid, incident_uuid
from sync.wire import decode_pull_response, encode

PUSH_MUTATIONS = 10_000
PUSH_ROUNDS = 5
PULL_ROUNDS = 3
PUSH_BUDGET_S = 2.0
PULL_BUDGET_S = 3.0
POSTGRES_ADMIN = os.environ.get(
    "POSBON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SCOPES = {"crew:1": 0, "incident:1": 0}


def _posbon(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "server", *args],
        env={**os.environ, **env, "POSBON_LOG_LEVEL": "warning"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _token(env: dict[str, str]) -> str:
    process = _posbon(env, "token", "create", "--role", "dispatcher", "--name", "bench")
    out, _ = process.communicate(timeout=60)
    return out.decode().strip()


async def _timed(action: Callable[[], Coroutine[Any, Any, object]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


def _queue(client: SyncClient, count: int) -> None:
    fields = IncidentReportFields(
        incident_id=incident_uuid(1), crew_id=crew_uuid(1), narrative="Two men at the gate. " * 4
    )
    bodies = [{"entity_id": client.new_id(), "fields": fields} for _ in range(count)]
    client.enqueue_many(IncidentReportUpsertV1, bodies)


async def _pull_protocol(transport: HttpTransport) -> int:
    cursors, device, received = dict(SCOPES), uuid.uuid4(), 0
    while True:
        request = PullRequest(schema_version=SCHEMA_VERSION, device_id=device, cursors=cursors)
        page = decode_pull_response(await transport.pull(encode(request)))
        received += len(page.changes)
        cursors.update(page.cursors)
        if not page.has_more:
            return received


def _seeded(client: SyncClient) -> SyncClient:
    """A device that already has both scopes at cursor 0: it pulls changes, not a snapshot."""
    for scope in SCOPES:
        client.store._db.execute("INSERT INTO cursors (scope, seq) VALUES (?, 0)", (scope,))  # noqa: SLF001
    return client


async def _measure(base: str, token: str, folder: Path) -> dict[str, list[float]]:
    transport = HttpTransport(base, token, timeout_s=120)
    figures: dict[str, list[float]] = {"push": [], "pull": [], "pull_client": [], "snapshot": []}
    try:
        for round_ in range(PUSH_ROUNDS):
            client = SyncClient.open(folder / f"push-{round_}.sqlite3", transport)
            _queue(client, PUSH_MUTATIONS)
            figures["push"].append(await _timed(client.push))
            assert client.store.pending_count() == 0
        for round_ in range(PULL_ROUNDS):
            figures["pull"].append(await _timed(lambda: _pull_protocol(transport)))
            puller = _seeded(SyncClient.open(folder / f"pull-{round_}.sqlite3", transport))
            figures["pull_client"].append(await _timed(puller.pull))
            assert len(puller.store.all_confirmed()) == PUSH_MUTATIONS * PUSH_ROUNDS
            fresh = SyncClient.open(folder / f"snap-{round_}.sqlite3", transport)
            figures["snapshot"].append(await _timed(fresh.pull))
    finally:
        await transport.aclose()
    return figures


@contextlib.contextmanager
def _database(engine: str, folder: Path) -> Iterator[dict[str, str]]:
    env = {"POSBON_DATA_DIR": str(folder / "server")}
    if engine == "sqlite":
        yield env
        return
    name = f"posbon_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield {**env, "POSBON_DATABASE_URL": POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name}
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _report(engine: str, figures: dict[str, list[float]]) -> None:
    rows = [
        ("push 10,000 mutations", figures["push"], PUSH_BUDGET_S),
        ("pull 100,000 changes (protocol)", figures["pull"], PULL_BUDGET_S),
        ("pull 100,000 changes (client, stored)", figures["pull_client"], None),
        ("snapshot 100,000 rows (client, stored)", figures["snapshot"], None),
    ]
    print(f"engine: {engine}")
    print(f"{'what':<40} {'median s':>9} {'min s':>7} {'max s':>7} {'budget':>8}")
    for what, values, budget in rows:
        limit = "" if budget is None else f"<= {budget:.0f} s"
        print(
            f"{what:<40} {statistics.median(values):>9.2f} {min(values):>7.2f} "
            f"{max(values):>7.2f} {limit:>8}"
        )


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
            figures = asyncio.run(_measure(base, token, Path(tmp)))
        finally:
            server.terminate()
            server.wait(10)
    _report(args.engine, figures)


if __name__ == "__main__":
    main()
