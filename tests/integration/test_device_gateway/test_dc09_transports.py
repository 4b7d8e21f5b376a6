"""TLS on the DC-09 TCP port, UDP beside it, and the counters the receiver keeps."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import (
    cid_frame,
    exchange,
    gateway_on,
    reply_token,
    udp_exchange,
)

pytestmark = pytest.mark.integration


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "dc09.pem", directory / "dc09.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_tls_on_the_tcp_port_acks_after_commit_and_udp_still_works(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    cert, key = _self_signed(tmp_path)
    async with gateway_on(settings, db, dc09_tls_cert=str(cert), dc09_tls_key=str(key)) as gw:
        client = ssl.create_default_context(cafile=str(cert))
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", gw.port, ssl=client, server_hostname="localhost"
        )
        writer.write(cid_frame("3101", 1))
        reply = await asyncio.wait_for(reader.readuntil(b"\r"), 5)
        writer.close()
        await writer.wait_closed()
        assert reply_token(reply) == "ACK"
        udp_reply = await asyncio.to_thread(udp_exchange, gw.port, cid_frame("3101", 2))
        assert udp_reply is not None
        assert reply_token(udp_reply) == "ACK"
        stored = await gw.signals(account="3101")
        assert sorted(s["transport"] for s in stored) == ["tls", "udp"]


async def test_frames_rejects_and_commits_are_counted(settings: Settings, db: Database) -> None:
    async with gateway_on(settings, db) as gw:
        good = cid_frame("3102", 1)
        bad_crc = b"\n0000" + cid_frame("3102", 2)[5:]
        replies = await exchange(gw.port, good + bad_crc + good, 3)
        assert [reply_token(r) for r in replies] == ["ACK", "NAK", "ACK"]
        async with httpx.AsyncClient(base_url=gw.live.http, headers=gw.live.headers(gw.admin)) as h:
            text = (await h.get("/metrics")).text
        assert 'posbon_dc09_frames_total{transport="tcp"} 3.0' in text
        assert 'posbon_dc09_rejects_total{reason="crc"} 1.0' in text
        assert "posbon_dc09_duplicates_total 1.0" in text
        assert 'posbon_dc09_commits_total{outcome="ok"}' in text
        assert "posbon_dc09_ack_seconds_count 2.0" in text


@pytest.mark.parametrize(("policy", "expected"), [("nak", "NAK"), ("ignore", None)])
async def test_unregistered_accounts_can_be_nakked_or_ignored(
    settings: Settings, db: Database, policy: str, expected: str | None
) -> None:
    async with gateway_on(settings, db, dc09_unknown_account=policy) as gw:
        reply = await asyncio.to_thread(udp_exchange, gw.port, cid_frame("3103", 1), 0.5)
        assert (None if reply is None else reply_token(reply)) == expected
        assert await gw.signals() == []
