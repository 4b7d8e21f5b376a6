"""Sites, devices and signals for the verification and activation-grouping tests: signals go
through the real signal store (server/signals/service.py) with the times the test gives them,
so a window can be crossed without waiting for it."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import uuid
from typing import Any

import httpx

from device_gateway.ingest import Source, Submission
from device_gateway.signals import DedupKey, Qualifier, Received, Signal, SignalKind
from server.auth.schemas import Role
from server.signals.service import DbSignalStore
from tests.integration.live import Live

JSON = dict[str, Any]
_seq = itertools.count(1)
START = dt.datetime(2026, 12, 13, 10, 0, tzinfo=dt.UTC)


async def admin_client(live: Live) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=live.http, headers=live.headers(await live.token(Role.ADMIN)))


async def add_site_with_devices(live: Live, accounts: list[str]) -> int:
    async with await admin_client(live) as http:
        site = await http.post(
            "/api/v1/sites",
            json={"name": f"Bank {uuid.uuid4().hex[:6]}", "lat": 39.65, "lon": 66.97},
        )
        assert site.status_code == 201, site.text
        for account in accounts:
            made = await http.post(
                "/api/v1/devices", json={"account": account, "site_id": site.json()["id"]}
            )
            assert made.status_code == 201, made.text
    site_id: int = site.json()["id"]
    return site_id


async def alarm(
    live: Live,
    account: str,
    kind: SignalKind,
    zone: str,
    at: dt.datetime,
    *,
    priority: int,
    qualifier: Qualifier = Qualifier.NEW,
    xdata: dict[str, str] | None = None,
) -> None:
    """One alarm frame, committed as the DC-09 receiver commits it, received at `at`."""
    seq = str(next(_seq))
    content = f"{account}|{kind}|{zone}|{seq}|{qualifier}"
    signal = Signal(
        account=account,
        code_family="cid",
        code="130" if kind is SignalKind.INTRUSION else "120",
        qualifier=qualifier,
        kind=kind,
        priority=priority,
        description=f"{kind.value} alarm",
        received_at=at,
        raw=content,
        content=content,
        zone=zone,
        xdata=xdata or {},
    )
    digest = hashlib.sha256(content.encode()).hexdigest()
    received = Received(
        signals=(signal,),
        dedup_key=DedupKey(account=account, seq=seq, data_sha256=digest),
        reply=b"",
    )
    store = DbSignalStore(live.state.db, live.state.metrics, clock=live.state.sync_clock)
    source = Source(transport="tcp", peer="127.0.0.1:1")
    await store.commit([Submission(received=received, source=source)], duplicates_since=at)


async def get(live: Live, path: str, **params: Any) -> Any:
    async with await admin_client(live) as http:
        response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()
