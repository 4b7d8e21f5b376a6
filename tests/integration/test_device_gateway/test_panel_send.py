"""`posbon panel send` (a real subprocess) and the PanelLink it uses, against the real receiver:
ACKed over TCP and UDP, plain and AES, and a panel with a wrong clock fixed by the NAK."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from device_gateway.protocols.dc09.sender import PanelEvent
from device_gateway.transports.sender import PanelLink
from server.db import Database
from server.settings import Settings
from tests.integration.test_device_gateway.support import KEY_128, Gateway, gateway_on

pytestmark = pytest.mark.integration


@pytest.fixture
async def gw(settings: Settings, db: Database) -> AsyncIterator[Gateway]:
    async with gateway_on(settings, db) as running:
        yield running


async def posbon(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return await process.wait(), output.decode()


@pytest.mark.parametrize(
    ("udp", "key"), [(False, None), (True, KEY_128)], ids=["tcp-plain", "udp-aes128"]
)
async def test_panel_send_is_acked_and_raises_the_alert(
    gw: Gateway, udp: bool, key: bytes | None
) -> None:
    await gw.add_device("6101", key=key, encrypted=key is not None)
    args = [
        "panel",
        "send",
        "--port",
        str(gw.port),
        "--account",
        "6101",
        "--code",
        "120",
        "--zone",
        "4",
        "--seq",
        "17",
    ]
    if key is not None:
        args += ["--key", key.decode(), "--key-format", "ascii"]
    if udp:
        args.append("--udp")
    status, output = await posbon(*args)
    assert status == 0, output
    assert output.strip() == ("*ACK 0017" if key else "ACK 0017")
    (alert,) = await gw.alerts()
    assert (alert["kind"], alert["details"]["zone"]) == ("panic", "004")


async def test_panel_send_without_an_answer_fails() -> None:
    status, output = await posbon(
        "panel", "send", "--port", "1", "--account", "1234", "--timeout-s", "0.3"
    )
    assert status == 1
    assert "no reply" in output


async def test_a_bad_key_is_a_usage_error() -> None:
    status, _ = await posbon("panel", "send", "--account", "1234", "--key", "zz")
    assert status == 2


async def test_a_panel_with_a_wrong_clock_is_nakd_then_acked(gw: Gateway) -> None:
    await gw.add_device("6102", key=KEY_128, encrypted=True)
    skewed = PanelLink(
        "127.0.0.1",
        gw.port,
        key=KEY_128,
        clock=lambda: datetime.now(UTC) - timedelta(minutes=10),
    )
    reply = await skewed.send(PanelEvent(account="6102", code="130", zone=2))
    assert reply is not None
    assert reply.acked
    signals = await gw.signals(account="6102")
    assert len(signals) == 1
