import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import hlc

wall = st.integers(min_value=0, max_value=1 << 44)
logical = st.integers(min_value=0, max_value=hlc.MAX_LOGICAL)
stamps = st.builds(hlc.pack, wall, logical)


@given(wall, logical)
def test_pack_then_unpack_gives_back_the_parts(physical_ms: int, counter: int) -> None:
    assert hlc.unpack(hlc.pack(physical_ms, counter)) == (physical_ms, counter)


@given(stamps, wall)
def test_tick_is_after_the_last_stamp_and_not_before_the_wall_clock(last: int, now: int) -> None:
    stamp = hlc.tick(last, now)
    assert stamp > last
    assert hlc.unpack(stamp)[0] >= now


@given(stamps, stamps, wall)
def test_receive_is_after_both_the_local_and_the_remote_stamp(
    last: int, remote: int, now: int
) -> None:
    stamp = hlc.receive(last, remote, now)
    assert stamp > last
    assert stamp > remote
    newest_ms = max(hlc.unpack(last)[0], hlc.unpack(remote)[0], now)
    assert newest_ms <= hlc.unpack(stamp)[0] <= newest_ms + 1  # +1 only on logical overflow


def test_logical_overflow_carries_into_the_next_millisecond() -> None:
    assert hlc.tick(hlc.pack(10, hlc.MAX_LOGICAL), 0) == hlc.pack(11, 0)


def test_a_clock_ahead_of_the_wall_keeps_counting_logically() -> None:
    assert hlc.tick(hlc.pack(500, 3), 100) == hlc.pack(500, 4)


@given(stamps, wall)
def test_clamp_never_lets_a_stamp_exceed_server_time_plus_five_minutes(
    stamp: int, server_now_ms: int
) -> None:
    clamped = hlc.clamp(stamp, server_now_ms)
    physical_ms, _ = hlc.unpack(clamped.stamp)
    assert physical_ms <= max(server_now_ms + hlc.DEFAULT_MAX_AHEAD_MS, hlc.unpack(stamp)[0])
    assert physical_ms <= server_now_ms + hlc.DEFAULT_MAX_AHEAD_MS
    assert clamped.was_clamped == (clamped.stamp != stamp)


@given(stamps, wall)
def test_clamp_leaves_stamps_within_the_window_alone(stamp: int, server_now_ms: int) -> None:
    if hlc.unpack(stamp)[0] <= server_now_ms + hlc.DEFAULT_MAX_AHEAD_MS:
        assert hlc.clamp(stamp, server_now_ms).stamp == stamp


def test_a_device_three_hours_ahead_is_clamped_and_its_offset_reported() -> None:
    server_now_ms = 1_000_000_000
    device_ms = server_now_ms + 3 * 3600 * 1000
    clamped = hlc.clamp(hlc.pack(device_ms, 7), server_now_ms)
    assert clamped.was_clamped
    assert clamped.stamp == hlc.pack(server_now_ms + 5 * 60 * 1000, 7)
    assert hlc.clock_offset_ms(device_ms, server_now_ms) == 3 * 3600 * 1000


def test_order_key_breaks_equal_stamps_by_device_id() -> None:
    low, high = uuid.UUID(int=1), uuid.UUID(int=2)
    assert hlc.order_key(5, low) < hlc.order_key(5, high) < hlc.order_key(6, low)


@pytest.mark.parametrize(("physical_ms", "counter"), [(-1, 0), (0, -1), (0, hlc.MAX_LOGICAL + 1)])
def test_pack_refuses_parts_out_of_range(physical_ms: int, counter: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        hlc.pack(physical_ms, counter)
