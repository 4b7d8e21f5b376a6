"""What an audited admin write costs: site updates through the HTTP API of a real `posbon serve`.

Every change of a site is one audit entry, written in the change's own transaction and linked to
the one before it (server/audit: a hash chain with a head row), so audited writes take turns on
that head row. This measures the turn: `--clients` admin clients each PATCH their own site in a
loop for `--seconds`, and the driver reports writes/s and the latency of one write (median and
p99), on SQLite (the default) or PostgreSQL (`--database-url`). Run it from another tree (the
bench resolves `python -m server` from the working directory) to compare with a tree before the
audit log.

    .venv/bin/python -m bench.audited_writes
    .venv/bin/python -m bench.audited_writes --database-url postgresql://postgres@127.0.0.1/test
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
from pathlib import Path

import httpx

from bench.common import free_port, percentile, wait_healthy


def _posbon(data_dir: Path, env_extra: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, POSBON_DATA_DIR=str(data_dir), POSBON_LOG_LEVEL="warning", **env_extra)
    return subprocess.Popen(
        [sys.executable, "-m", "server", *args], env=env, stdout=subprocess.DEVNULL
    )


def _token(data_dir: Path, env_extra: dict[str, str]) -> str:
    env = dict(os.environ, POSBON_DATA_DIR=str(data_dir), **env_extra)
    command = [sys.executable, "-m", "server", "token", "create", "--role", "admin", "--name", "b"]
    return subprocess.run(
        command, env=env, capture_output=True, check=True, text=True
    ).stdout.strip()


async def _client(http: httpx.AsyncClient, site_id: int, until_s: float) -> list[float]:
    latencies_ms: list[float] = []
    n = 0
    while time.monotonic() < until_s:
        n += 1
        started = time.perf_counter()
        answer = await http.patch(f"/api/v1/sites/{site_id}", json={"address": f"Street {n}"})
        latencies_ms.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    return latencies_ms


async def _round(base: str, token: str, clients: int, seconds: float) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        site_ids = []
        for n in range(clients):
            made = await http.post("/api/v1/sites", json={"name": f"bench site {n} {time.time()}"})
            assert made.status_code == 201, made.text
            site_ids.append(made.json()["id"])
        until_s = time.monotonic() + seconds
        runs = await asyncio.gather(*(_client(http, site, until_s) for site in site_ids))
    latencies = sorted(ms for run in runs for ms in run)
    return {
        "writes_per_s": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    env = {"POSBON_DATABASE_URL": args.database_url} if args.database_url else {}
    env |= {"POSBON_DC09_PORT": "0", "POSBON_OSMAND_PORT": "0", "POSBON_GT06_PORT": "0"}
    env |= {"POSBON_TELTONIKA_PORT": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        token = _token(data_dir, env)
        port = free_port()
        server = _posbon(data_dir, env, "serve", "--http-port", str(port))
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base)
            engine = "PostgreSQL" if args.database_url else "SQLite"
            print(f"{engine}; {args.clients} admin clients, {args.seconds:g} s a round", flush=True)
            results = []
            for round_no in range(args.rounds):
                result = asyncio.run(_round(base, token, args.clients, args.seconds))
                results.append(result)
                print(
                    f"round {round_no + 1}: {result['writes_per_s']:,.0f} writes/s, "
                    f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms",
                    flush=True,
                )
            rates = [r["writes_per_s"] for r in results]
            p50s = [r["p50_ms"] for r in results]
            rate, p50 = statistics.median(rates), statistics.median(p50s)
            print(f"median: {rate:,.0f} writes/s, p50 {p50:.1f} ms")
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
