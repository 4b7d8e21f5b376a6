"""Messages on the wire: tolerant of new fields, strict about limits and versions."""

from __future__ import annotations

import msgspec
import pytest

from sync.errors import (
    InvalidMessageError,
    RejectionCode,
    RequestTooLargeError,
    UnknownSchemaVersionError,
    UpgradeRequiredError,
)
from sync.messages import SCHEMA_VERSION, PushLimits, check_schema_version
from sync.mutations import IncidentReportUpsertV1
from sync.wire import InvalidMutation, decode_pull_request, decode_push, encode
from tests.unit.test_sync.factories import DEVICE_A, push, upsert

LIMITS = PushLimits()


def _with(body: bytes, **extra: object) -> bytes:
    message = msgspec.json.decode(body)
    message.update(extra)
    return msgspec.json.encode(message)


def test_a_push_round_trips_with_its_versioned_mutation_name() -> None:
    body = encode(push(upsert(1, "fight")))
    assert b'"name":"incident_report.upsert.v1"' in body
    batch = decode_push(body, LIMITS)
    assert batch.device_id == DEVICE_A
    assert isinstance(batch.mutations[0], IncidentReportUpsertV1)
    assert batch.mutations[0].fields.narrative == "fight"


def test_unknown_fields_from_a_newer_client_are_ignored() -> None:
    body = _with(encode(push(upsert(1))), battery_percent=40)
    assert decode_push(body, LIMITS).mutations[0].client_seq == 1


def test_an_unknown_mutation_name_becomes_a_rejectable_entry_not_a_failed_batch() -> None:
    message = msgspec.json.decode(encode(push(upsert(1), upsert(2))))
    message["mutations"][1]["name"] = "incident_report.teleport.v9"
    batch = decode_push(msgspec.json.encode(message), LIMITS)
    assert isinstance(batch.mutations[0], IncidentReportUpsertV1)
    invalid = batch.mutations[1]
    assert isinstance(invalid, InvalidMutation)
    assert (invalid.client_seq, invalid.code) == (2, RejectionCode.UNKNOWN_MUTATION)


def test_a_value_out_of_range_becomes_an_invalid_value_entry() -> None:
    body = encode(push(upsert(1, "x" * 20_001)))
    invalid = decode_push(body, LIMITS).mutations[0]
    assert isinstance(invalid, InvalidMutation)
    assert invalid.code is RejectionCode.INVALID_VALUE


def test_a_body_that_is_not_json_is_an_invalid_message() -> None:
    with pytest.raises(InvalidMessageError):
        decode_push(b"{not json", LIMITS)


def test_too_many_mutations_is_refused_with_the_limits() -> None:
    body = encode(push(*(upsert(seq) for seq in range(1, 4))))
    with pytest.raises(RequestTooLargeError) as raised:
        decode_push(body, PushLimits(max_mutations=2))
    assert (raised.value.max_mutations, raised.value.max_bytes) == (2, 1024 * 1024)


def test_too_many_bytes_is_refused_before_decoding() -> None:
    with pytest.raises(RequestTooLargeError):
        decode_push(b"x" * 101, PushLimits(max_bytes=100))


@pytest.mark.parametrize("offset", [0, -1, -2])
def test_the_current_version_and_the_two_before_it_are_accepted(offset: int) -> None:
    check_schema_version(10 + offset, current=10)


def test_three_versions_back_must_upgrade() -> None:
    with pytest.raises(UpgradeRequiredError) as raised:
        check_schema_version(7, current=10)
    assert raised.value.oldest_supported == 8


def test_a_version_newer_than_the_server_is_refused() -> None:
    with pytest.raises(UnknownSchemaVersionError):
        check_schema_version(11, current=10)


def test_every_request_is_checked_for_its_schema_version() -> None:
    # Version 1 is the first, so no version is too old yet: one from the future stands in.
    newer = SCHEMA_VERSION + 1
    with pytest.raises(UnknownSchemaVersionError):
        decode_push(_with(encode(push(upsert(1))), schema_version=newer), LIMITS)
    pull = msgspec.json.encode({"schema_version": newer, "device_id": str(DEVICE_A)})
    with pytest.raises(UnknownSchemaVersionError):
        decode_pull_request(pull)


@pytest.mark.parametrize("version", [0, -1])
def test_a_version_below_the_first_is_not_a_version(version: int) -> None:
    with pytest.raises(InvalidMessageError, match="versions start at 1"):
        check_schema_version(version)
    with pytest.raises(InvalidMessageError):
        decode_push(_with(encode(push(upsert(1))), schema_version=version), LIMITS)


def test_two_versions_back_from_the_first_would_still_be_the_first() -> None:
    with pytest.raises(UpgradeRequiredError) as raised:
        check_schema_version(1, current=4)
    assert raised.value.oldest_supported == 2
    check_schema_version(1, current=2)  # 2 - 2 is 0, which never existed: 1 is the oldest


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("device_wall_ms", 10**30),
        ("device_wall_ms", -1),
        ("device_wall_ms", 2**63),
        ("client_hlc", 2**64),
        ("client_hlc", -5),
    ],
)
def test_a_clock_out_of_range_refuses_the_push(field: str, value: int) -> None:
    with pytest.raises(InvalidMessageError, match=field):
        decode_push(_with(encode(push(upsert(1))), **{field: value}), LIMITS)


def test_json_nested_past_the_decoder_is_an_invalid_message() -> None:
    envelope = b'{"schema_version":1,"device_id":"' + str(DEVICE_A).encode()
    body = envelope + b'","device_wall_ms":1,"mutations":[' + b"[" * 100_000 + b"]}"
    with pytest.raises(InvalidMessageError, match="nested too deeply"):
        decode_push(body, PushLimits(max_bytes=len(body)))
    unknown_field = b'{"schema_version":1,"from_a_newer_client":' + b"[" * 100_000 + b"}"
    with pytest.raises(InvalidMessageError, match="nested too deeply"):
        decode_pull_request(unknown_field)  # skipped, as unknown fields are, but not endlessly


def test_a_nul_character_rejects_only_its_own_mutation() -> None:
    body = encode(push(upsert(1, "fine"), upsert(2, "bad\x00text"), upsert(3, "also fine")))
    assert b"\\u0000" in body
    batch = decode_push(body, LIMITS)
    invalid = batch.mutations[1]
    assert isinstance(invalid, InvalidMutation)
    assert (invalid.client_seq, invalid.code) == (2, RejectionCode.INVALID_VALUE)
    assert "NUL" in invalid.reason
    assert [type(m) for m in (batch.mutations[0], batch.mutations[2])] == [
        IncidentReportUpsertV1
    ] * 2


def test_a_written_backslash_u0000_is_text_not_a_nul() -> None:
    batch = decode_push(encode(push(upsert(1, "C:\\u0000 and \\\\u0000"))), LIMITS)
    assert isinstance(batch.mutations[0], IncidentReportUpsertV1)
    assert batch.mutations[0].fields.narrative == "C:\\u0000 and \\\\u0000"
