"""A longer fuzz run than the suite's: the DC-09 receiver (and the GT06, OsmAnd and IoT parsers)
against random and mutated input, reporting examples/s, the slowest example and every failure.

Properties, as in tests/unit/test_device_gateway/*fuzz*: random bytes or mutated real frames
(tests/data/dc09) never raise out of the receiver and never cost the next valid frame (a
sentinel frame must still come out ACKed, fed whole and one byte at a time); the frame parser
raises only GatewayError; the tracker parsers raise only GatewayError.

    .venv/bin/python -m bench.dc09_fuzz --examples 20000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device_gateway.errors import GatewayError
from device_gateway.protocols.dc09 import AccountPolicy, Dc09Receiver, Header, encode_frame
from device_gateway.protocols.dc09.frames import parse_frame
from device_gateway.protocols.gt06 import Gt06Connection
from device_gateway.protocols.iot import parse_mqtt, parse_webhook
from device_gateway.protocols.osmand import parse_request
from device_gateway.signals import Received

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
NOW = datetime(2026, 9, 22, 3, 7, 43, tzinfo=UTC)
KEY = bytes.fromhex("850cba22f7dd4f033405da83e4c5bae9")
SENTINEL = encode_frame(
    Header(token="SIA-DCS", seq="9999", line="0", account="5EED"), b"[#5EED|NPA1]"
)


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


SEEDS = [
    b"\n" + row["raw"].encode() + b"\r"
    for path in sorted((DATA / "dc09").glob("*.jsonl"))
    for row in _rows(path)
]
GT06_SEEDS = [
    bytes.fromhex(row["hex"]) for row in _rows(DATA / "gt06" / "gt06_traccar_tests.jsonl")
]


def _receiver() -> Dc09Receiver:
    policies = {"000": AccountPolicy(key=KEY)}
    return Dc09Receiver(lambda a, r, line: policies.get(a), random_bytes=bytes)


def _sentinel_survives(garbage: bytes, *, bytewise: bool) -> None:
    receiver = _receiver()
    data = garbage + b"\r" + SENTINEL
    for chunk in [data[i : i + 1] for i in range(len(data))] if bytewise else [data]:
        receiver.receive_data(chunk, NOW)
    last = receiver.events_received()[-1]
    assert isinstance(last, Received), "the frame after the garbage was lost"


def _mutate(seed: bytes, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data)


FLIPS = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _properties() -> dict[str, tuple[Any, Callable[..., None]]]:
    def only_gateway_errors(call: Callable[[], object]) -> None:
        with contextlib.suppress(GatewayError):
            call()

    def gt06(data: bytes) -> None:
        connection = Gt06Connection()
        connection.receive_data(data)
        connection.events_received()

    def iot(case: tuple[str, object]) -> None:
        topic, value = case
        only_gateway_errors(lambda: parse_mqtt("zigbee2mqtt/" + topic, msgspec.json.encode(value)))
        uplink = msgspec.json.encode({"end_device_ids": value, "uplink_message": value})
        only_gateway_errors(lambda: parse_webhook(topic, uplink))

    return {
        "dc09 random bytes, whole": (
            st.binary(max_size=400),
            lambda b: _sentinel_survives(b, bytewise=False),
        ),
        "dc09 random bytes, bytewise": (
            st.binary(max_size=200),
            lambda b: _sentinel_survives(b, bytewise=True),
        ),
        "dc09 mutated real frames": (
            st.tuples(st.sampled_from(SEEDS), FLIPS),
            lambda t: _sentinel_survives(_mutate(*t), bytewise=False),
        ),
        "dc09 datagrams": (st.binary(max_size=300), lambda b: _receiver().receive_datagram(b, NOW)),
        "dc09 frame parser": (
            st.binary(max_size=200),
            lambda b: only_gateway_errors(lambda: parse_frame(b)),
        ),
        "gt06 mutated real packets": (
            st.tuples(st.sampled_from(GT06_SEEDS), FLIPS),
            lambda t: gt06(_mutate(*t)),
        ),
        "osmand random requests": (
            st.tuples(st.text(max_size=200), st.binary(max_size=200)),
            lambda t: only_gateway_errors(
                lambda: parse_request("POST", "/?" + t[0], "application/json", t[1])
            ),
        ),
        "iot random JSON": (
            st.tuples(st.text(max_size=30), JSONISH),
            lambda t: only_gateway_errors(
                lambda: (
                    parse_mqtt("zigbee2mqtt/" + t[0], msgspec.json.encode(t[1]))
                    and parse_webhook(t[0], msgspec.json.encode({"end_device_ids": t[1]}))
                )
            ),
        ),
    }


def _run(name: str, strategy: Any, check: Callable[..., None], examples: int) -> None:
    count, slowest = 0, 0.0
    failures: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def prop(value: Any) -> None:
        nonlocal count, slowest
        count += 1
        started = time.perf_counter()
        check(value)
        slowest = max(slowest, time.perf_counter() - started)

    started = time.perf_counter()
    try:
        prop()
    except Exception as err:  # the falsifying example is in the message
        failures.append(repr(err)[:300])
    seconds = time.perf_counter() - started
    print(
        f"{name:32s} {count:>8,} examples {seconds:6.1f} s {count / seconds:>8,.0f}/s "
        f"slowest {slowest * 1000:6.2f} ms  failures: {len(failures)}",
        flush=True,
    )
    for failure in failures:
        print("   ", failure)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20_000, help="per property")
    args = parser.parse_args()
    for name, (strategy, check) in _properties().items():
        _run(name, strategy, check, args.examples)


if __name__ == "__main__":
    main()
