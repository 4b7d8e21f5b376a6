import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.uuid7 import uuid7, uuid7_unix_ms

unix_ms = st.integers(min_value=0, max_value=(1 << 48) - 1)


@given(unix_ms, st.binary(min_size=10, max_size=10))
def test_uuid7_has_version_7_rfc_variant_and_the_time_given(ms: int, entropy: bytes) -> None:
    value = uuid7(ms, entropy)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert uuid7_unix_ms(value) == ms


@given(unix_ms, unix_ms)
def test_later_ids_sort_after_earlier_ones(first: int, second: int) -> None:
    earlier, later = sorted((first, second))
    if earlier < later:
        assert uuid7(earlier) < uuid7(later)


def test_two_ids_in_the_same_millisecond_differ() -> None:
    assert uuid7(1_000) != uuid7(1_000)


def test_time_outside_48_bits_is_refused() -> None:
    with pytest.raises(ValueError, match="48 bits"):
        uuid7(1 << 48)


def test_wrong_amount_of_randomness_is_refused() -> None:
    with pytest.raises(ValueError, match="10 random bytes"):
        uuid7(0, b"short")


def test_reading_time_from_a_uuid4_is_refused() -> None:
    with pytest.raises(ValueError, match="not a UUIDv7"):
        uuid7_unix_ms(uuid.UUID(int=0, version=4))
