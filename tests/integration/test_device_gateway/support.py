"""A live server with its DC-09 listeners, and real DC-09 senders to talk to it.

The sender is `my-dc09-spt` (PyPI, Apache-2.0), the library real installers script: it is
blocking, so each send runs in a thread while the server keeps serving in the test's loop.
``send`` returns True when the receiver ACKed, False when the sender gave up.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec

from device_gateway.protocols.dc09 import Header, encode_frame
from device_gateway.transports.observer import HangUp, Refusal
from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from server.signals.gateway import RunningGateway, StoreWrapper, running_gateway
from tests.dc09_sender import send_dc09
from tests.integration.live import Live, serve

JSON = dict[str, Any]
KEY_128 = b"0123456789abcdef"
KEY_256 = b"0123456789abcdef0123456789abcdef"


class Gateway(msgspec.Struct):
    live: Live
    running: RunningGateway
    admin: str
    dispatcher: str

    @property
    def port(self) -> int:
        return self.running.port

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = self.live.headers(token or self.admin)
        return httpx.AsyncClient(base_url=self.live.http, headers=headers)

    async def add_device(
        self,
        account: str,
        *,
        key: bytes | None = None,
        encrypted: bool = False,
        supervision_s: int = 0,
        site: str | None = None,
    ) -> JSON:
        async with self.client() as http:
            made = await http.post(
                "/api/v1/sites",
                json={
                    "name": site or f"School {account}-{uuid.uuid4().hex[:4]}",
                    "address": f"Registan street {account}",
                    "lat": 39.6548,
                    "lon": 66.9757,
                },
            )
            assert made.status_code == 201, made.text
            body: JSON = {
                "account": account,
                "site_id": made.json()["id"],
                "encrypted": encrypted,
                "supervision_s": supervision_s,
            }
            if key is not None:
                body |= {"key": key.decode(), "key_format": "ascii"}
            device = await http.post("/api/v1/devices", json=body)
            assert device.status_code == 201, device.text
        await self.running.reload_accounts()
        result: JSON = device.json()
        return result

    async def get(self, path: str, **params: Any) -> Any:
        async with self.client(self.dispatcher) as http:
            response = await http.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def signals(self, **params: Any) -> list[JSON]:
        found: list[JSON] = await self.get("/api/v1/signals", **({"limit": 1000} | params))
        return found

    async def alerts(self, **params: Any) -> list[JSON]:
        found: list[JSON] = await self.get("/api/v1/alerts", **({"limit": 1000} | params))
        return found


@contextlib.asynccontextmanager
async def gateway_on(
    settings: Settings, db: Database, *, wrap_store: StoreWrapper | None = None, **overrides: Any
) -> AsyncIterator[Gateway]:
    tuned = with_overrides(settings, dc09_port=0, **overrides)
    async with serve(tuned, db) as live, running_gateway(live.state, wrap_store=wrap_store) as gw:
        yield Gateway(
            live=live,
            running=gw,
            admin=await live.token(Role.ADMIN),
            dispatcher=await live.token(Role.DISPATCHER),
        )


send = functools.partial(send_dc09, give_up_s=None)
"""Send one event with a real my-dc09-spt sender, as long as it retries; True if ACKed."""


class Recorder:
    """A listener's connection observer that keeps what it is told, in order."""

    def __init__(self) -> None:
        self.refusals: list[Refusal] = []
        self.hangups: list[HangUp] = []

    def refused(self, reason: Refusal) -> None:
        self.refusals.append(reason)

    def hung_up(self, reason: HangUp) -> None:
        self.hangups.append(reason)


def cid_frame(
    account: str, seq: int, code: str = "120", qualifier: str = "1", zone: int = 5
) -> bytes:
    header = Header(token="ADM-CID", seq=f"{seq:04d}", line="0", account=account)
    return encode_frame(header, f"[#{account}|{qualifier}{code} 01 {zone:03d}]".encode())


async def exchange(port: int, data: bytes, replies: int, timeout_s: float = 5.0) -> list[bytes]:
    """Write ``data`` in one write on a raw TCP connection and read ``replies`` reply frames."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return [await asyncio.wait_for(reader.readuntil(b"\r"), timeout_s) for _ in range(replies)]
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def reply_token(reply: bytes) -> str:
    """``ACK``, ``NAK``, ``DUH`` or ``*ACK`` from a reply frame."""
    start = reply.index(b'"') + 1
    return reply[start : reply.index(b'"', start)].decode()


def reply_seq(reply: bytes) -> str:
    end = reply.index(b'"', reply.index(b'"') + 1)
    return reply[end + 1 : end + 5].decode()


def udp_exchange(port: int, data: bytes, timeout_s: float = 2.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout_s)
        sock.sendto(data, ("127.0.0.1", port))
        try:
            return sock.recvfrom(4096)[0]
        except TimeoutError:
            return None
