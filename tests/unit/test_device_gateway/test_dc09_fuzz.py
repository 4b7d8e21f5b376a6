"""Fuzzing: random and mutated input never raises and never costs the next valid frame."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device_gateway.errors import GatewayError
from device_gateway.protocols.dc09 import AccountPolicy, Header, encode_frame
from device_gateway.protocols.dc09.frames import parse_frame
from device_gateway.signals import Received
from tests.unit.test_device_gateway.dc09_support import (
    NOW,
    SIADC09_KEY,
    SIADC09_TIME,
    load_rows,
    make_receiver,
)

SEED_FRAMES = [b"\n" + row["raw"].encode() + b"\r" for row in load_rows()]
SENTINEL = encode_frame(
    Header(token="SIA-DCS", seq="9999", line="0", account="5EED"), b"[#5EED|NPA1]"
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ends_with_sentinel(garbage: bytes) -> bool:
    """Feed garbage, a CR/LF boundary and the sentinel: the sentinel must come out ACKed."""
    receiver = make_receiver({"000": AccountPolicy(key=SIADC09_KEY)})
    receiver.receive_data(garbage, SIADC09_TIME)
    receiver.receive_data(b"\r" + SENTINEL, SIADC09_TIME)
    events = receiver.events_received()
    last = events[-1]
    return isinstance(last, Received) and last.signals[0].account == "5EED"


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_and_never_lose_the_next_frame(garbage: bytes) -> None:
    assert ends_with_sentinel(garbage)


@FUZZ
@given(
    st.sampled_from(SEED_FRAMES),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6),
)
def test_mutated_real_frames_never_raise_and_never_lose_the_next_frame(
    frame: bytes, mutations: list[tuple[int, int]]
) -> None:
    mutated = bytearray(frame)
    for position, value in mutations:
        mutated[position % len(mutated)] = value
    assert ends_with_sentinel(bytes(mutated))


@FUZZ
@given(st.binary(max_size=200))
def test_datagrams_of_random_bytes_never_raise(datagram: bytes) -> None:
    receiver = make_receiver()
    receiver.receive_datagram(datagram, NOW)
    assert all(event is not None for event in receiver.events_received())


@FUZZ
@given(st.binary(max_size=120))
def test_parser_raises_only_gateway_errors(body: bytes) -> None:
    try:
        parse_frame(body)
    except GatewayError:
        return
