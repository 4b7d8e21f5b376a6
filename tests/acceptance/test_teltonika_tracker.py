"""A Teltonika tracker at the shipped process's door: the handshake and the Codec 8 Extended
packet Teltonika publishes, byte for byte, over a raw TCP socket. A registered tracker is
welcomed, its packet is answered with its record count and stored with its IO values; a tracker
nobody registered is refused."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.acceptance.clients import JSON
from tests.acceptance.support import ServedPosbon

pytestmark = pytest.mark.acceptance
REPLY_TIMEOUT_S = 5.0
PUBLISHED_IMEI = "356307042441013"
PUBLISHED_HELLO = bytes.fromhex("000F333536333037303432343431303133")
PUBLISHED_CODEC_8E = bytes.fromhex(
    "000000000000004A8E010000016B412CEE000100000000000000000000000000000000010005000100010100"
    "010011001D00010010015E2C880002000B000000003544C87A000E000000001DD7E06A00000100002994"
)
"""Teltonika's Codec 8 Extended example: one record of 2019-06-10 11:36:32 UTC, 5 IO elements."""


async def exchange(served: ServedPosbon, messages: list[tuple[bytes, int]]) -> list[bytes]:
    """Send each message and read the reply of the given size; then read to the end of the
    stream if the server closed it (the rest is b"")."""
    reader, writer = await asyncio.open_connection("127.0.0.1", served.ports.teltonika)
    try:
        replies = []
        for message, size in messages:
            writer.write(message)
            await writer.drain()
            replies.append(await asyncio.wait_for(reader.readexactly(size), REPLY_TIMEOUT_S))
        with contextlib.suppress(OSError):  # the server may have closed its side already
            writer.write_eof()
        replies.append(await asyncio.wait_for(reader.read(), REPLY_TIMEOUT_S))
        return replies
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_a_registered_teltonika_tracker_is_welcomed_and_its_packet_counted_and_stored(
    served: ServedPosbon,
) -> None:
    # The tracker is registered by the fleet every served process imports (fleet.TELTONIKA_IMEI).
    replies = await exchange(served, [(PUBLISHED_HELLO, 1), (PUBLISHED_CODEC_8E, 4)])
    assert replies == [b"\x01", (1).to_bytes(4, "big"), b""]
    async with served.api(served.token("dispatcher")) as desk:
        listed = await desk.get("/api/v1/signals", params={"account": PUBLISHED_IMEI})
    assert listed.status_code == 200, listed.text
    stored: list[JSON] = listed.json()
    (signal,) = stored
    assert (signal["code_family"], signal["transport"], signal["registered"]) == (
        "teltonika",
        "teltonika",
        True,
    )
    assert signal["panel_time"].startswith("2019-06-10T11:36:32")
    assert signal["xdata"]["io16"] == str(0x015E2C88)


async def test_a_teltonika_tracker_nobody_registered_is_refused(served: ServedPosbon) -> None:
    unknown = "862462030000001"
    replies = await exchange(served, [(len(unknown).to_bytes(2, "big") + unknown.encode(), 1)])
    assert replies == [b"\x00", b""]
