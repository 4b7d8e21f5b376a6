"""Server row numbers as UUIDs: both ways, and nothing else mistaken for one."""

from __future__ import annotations

import uuid

import pytest

from sync.server_ids import MAX_NUMBER, ServerKind, crew_uuid, incident_uuid, server_number
from sync.uuid7 import uuid7


@pytest.mark.parametrize("number", [1, 42, 2**40, MAX_NUMBER])
def test_a_server_number_survives_the_round_trip(number: int) -> None:
    assert server_number(ServerKind.INCIDENT, incident_uuid(number)) == number
    assert server_number(ServerKind.CREW, crew_uuid(number)) == number


def test_an_incident_uuid_is_not_a_crew_and_a_device_uuid_is_neither() -> None:
    assert server_number(ServerKind.CREW, incident_uuid(7)) is None
    assert server_number(ServerKind.INCIDENT, uuid7(1_780_000_000_000)) is None
    assert server_number(ServerKind.INCIDENT, uuid.UUID(int=0)) is None


def test_server_uuids_are_version_8_with_the_rfc_variant() -> None:
    value = incident_uuid(42)
    assert (value.version, value.variant) == (8, uuid.RFC_4122)


@pytest.mark.parametrize("number", [0, -1, MAX_NUMBER + 1])
def test_a_number_out_of_range_is_refused(number: int) -> None:
    with pytest.raises(ValueError, match="not a server row number"):
        incident_uuid(number)
