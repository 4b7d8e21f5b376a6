"""Teltonika inputs for the tests: the packets Teltonika publishes (tests/data/teltonika), and a
small encoder for the records the published ones lack (an SOS, a position, variable-length IO),
written from the protocol's description, apart from the decoder it tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from device_gateway.protocols.dc09.frames import crc16_arc

DATA: Final = Path(__file__).resolve().parents[2] / "data" / "teltonika"
IMEI: Final = "356307042441013"
HELLO: Final = bytes.fromhex("000F333536333037303432343431303133")
"""The published handshake of IMEI 356307042441013."""
SAMARKAND: Final = (39.6548, 66.9757)
CODEC_8: Final = 0x08
CODEC_8E: Final = 0x8E


def wiki_rows() -> list[dict[str, Any]]:
    path = DATA / "teltonika_wiki_examples.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if not rows:  # an empty parametrization would pass without testing anything
        raise FileNotFoundError(f"no Teltonika examples in {path}")
    return rows


def hello(imei: str) -> bytes:
    return len(imei).to_bytes(2, "big") + imei.encode("ascii")


def record(
    *,
    timestamp_ms: int = 1_767_225_600_000,
    priority: int = 1,
    lat: float = 0.0,
    lon: float = 0.0,
    satellites: int = 9,
    speed_kph: int = 0,
    event_io: int = 0,
    io: dict[int, tuple[int, int]] | None = None,
    nx: dict[int, bytes] | None = None,
    codec: int = CODEC_8,
) -> bytes:
    """One AVL record; ``io`` maps an id to (size in bytes, value), ``nx`` (8E) to its bytes."""
    width = 2 if codec == CODEC_8E else 1
    elements = io or {}
    gps = (
        round(lon * 10_000_000).to_bytes(4, "big", signed=True)
        + round(lat * 10_000_000).to_bytes(4, "big", signed=True)
        + (430).to_bytes(2, "big")
        + (90).to_bytes(2, "big")
        + bytes([satellites])
        + speed_kph.to_bytes(2, "big")
    )
    groups = b""
    for size in (1, 2, 4, 8):
        group = {key: value for key, (bytes_, value) in elements.items() if bytes_ == size}
        groups += len(group).to_bytes(width, "big")
        for key, value in group.items():
            groups += key.to_bytes(width, "big") + value.to_bytes(size, "big")
    total = len(elements)
    if codec == CODEC_8E:
        variable = nx or {}
        groups += len(variable).to_bytes(2, "big")
        for key, blob in variable.items():
            groups += key.to_bytes(2, "big") + len(blob).to_bytes(2, "big") + blob
        total += len(variable)
    return (
        timestamp_ms.to_bytes(8, "big")
        + bytes([priority])
        + gps
        + event_io.to_bytes(width, "big")
        + total.to_bytes(width, "big")
        + groups
    )


def packet(records: list[bytes], *, codec: int = CODEC_8, count: int | None = None) -> bytes:
    """An AVL data packet around ``records`` (``count`` overrides both record counts)."""
    number = len(records) if count is None else count
    data = bytes([codec, number]) + b"".join(records) + bytes([number])
    return b"\x00" * 4 + len(data).to_bytes(4, "big") + data + crc16_arc(data).to_bytes(4, "big")
