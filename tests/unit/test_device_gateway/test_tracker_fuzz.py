"""Fuzzing the GT06, OsmAnd and IoT parsers: only the gateway's own errors escape, and a GT06
stream always recovers for the next valid packet."""

from __future__ import annotations

import contextlib

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device_gateway.errors import GatewayError
from device_gateway.protocols.gt06 import Gt06Connection, PacketReceived
from device_gateway.protocols.gt06.frames import MAX_PACKET_BYTES
from device_gateway.protocols.iot import parse_mqtt, parse_webhook
from device_gateway.protocols.osmand import parse_request
from tests.unit.test_device_gateway.tracker_support import LOGIN_HEX, gt06_rows, osmand_rows

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GT06_SEEDS = [bytes.fromhex(row["hex"]) for row in gt06_rows()]
OSMAND_BODIES = [row.get("body", "").encode() for row in osmand_rows()]
LOGIN = bytes.fromhex(LOGIN_HEX)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def mutate(seed: bytes, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data)


@FUZZ
@given(st.binary(max_size=300))
def test_gt06_garbage_then_a_login_still_logs_in(garbage: bytes) -> None:
    connection = Gt06Connection()
    connection.receive_data(garbage)
    connection.receive_data(bytes(MAX_PACKET_BYTES))  # completes any "packet" the garbage began
    connection.receive_data(LOGIN)
    events = connection.events_received()
    assert any(isinstance(e, PacketReceived) and e.imei == "353419036066061" for e in events)


@FUZZ
@given(
    st.sampled_from(GT06_SEEDS),
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_gt06_mutated_packets_never_raise(seed: bytes, flips: list[tuple[int, int]]) -> None:
    connection = Gt06Connection()
    connection.receive_data(LOGIN + mutate(seed, flips))
    assert connection.events_received()


@FUZZ
@given(st.text(max_size=200), st.binary(max_size=200), st.sampled_from(["", "application/json"]))
def test_osmand_random_requests_raise_only_gateway_errors(
    query: str, body: bytes, content_type: str
) -> None:
    with contextlib.suppress(GatewayError):
        parse_request("POST", "/?" + query, content_type, body)


@FUZZ
@given(JSONISH, st.sampled_from(OSMAND_BODIES))
def test_osmand_random_json_raises_only_gateway_errors(value: object, seed: bytes) -> None:
    for body in (msgspec.json.encode(value), msgspec.json.encode({"location": value}), seed):
        with contextlib.suppress(GatewayError):
            parse_request("POST", "/", "application/json", body)


@FUZZ
@given(st.text(max_size=40), JSONISH)
def test_iot_random_payloads_raise_only_gateway_errors(topic: str, value: object) -> None:
    payload = msgspec.json.encode(value)
    for name in (topic, "zigbee2mqtt/" + topic, "shellies/" + topic + "/input_event/0"):
        try:
            parse_mqtt(name, payload)
            parse_webhook(topic, payload)
            parse_webhook(
                topic, msgspec.json.encode({"end_device_ids": value, "uplink_message": value})
            )
        except GatewayError:
            pass
