"""Encoding and decoding of sync messages, with the codecs built once.

:func:`decode_push` is careful about one thing: a mutation that does not decode (a name from a
newer client, a value out of range) must not fail the whole batch, or the device's queue would
stall behind it forever (sync pain point P7). Such a mutation becomes an
:class:`InvalidMutation` that the engine rejects, and the sequence moves on.
"""

from __future__ import annotations

import re
import uuid
from typing import Final, TypeVar

import msgspec

from sync.errors import InvalidMessageError, RejectionCode, RequestTooLargeError
from sync.messages import (
    DeviceStamp,
    PullRequest,
    PullResponse,
    PushLimits,
    PushRequest,
    PushResponse,
    SnapshotPage,
    SnapshotRequest,
    WallMs,
    check_schema_version,
)
from sync.mutations import AnyMutation, ClientSeq, Mutation


class InvalidMutation(msgspec.Struct, frozen=True, kw_only=True):
    """A mutation whose envelope is readable but whose body is not."""

    mutation_id: uuid.UUID
    client_seq: int
    code: RejectionCode
    reason: str


class PushBatch(msgspec.Struct, frozen=True, kw_only=True):
    """A decoded push: the request with each mutation either decoded or marked invalid."""

    schema_version: int
    device_id: uuid.UUID
    device_wall_ms: int
    client_hlc: int = 0
    mutations: list[AnyMutation | InvalidMutation]


class _MutationEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    mutation_id: uuid.UUID
    client_seq: ClientSeq
    name: str = ""


class _PushEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    schema_version: int
    device_id: uuid.UUID
    device_wall_ms: WallMs
    client_hlc: DeviceStamp = 0
    mutations: list[msgspec.Raw]


def _known_names() -> frozenset[str]:
    classes = [cls for cls in Mutation.__subclasses__() if cls.__struct_config__.tag]
    return frozenset(str(cls.__struct_config__.tag) for cls in classes)


KNOWN_MUTATION_NAMES: Final = _known_names()

_ENCODER: Final = msgspec.json.Encoder()
_PUSH_ENVELOPE: Final = msgspec.json.Decoder(_PushEnvelope)
_MUTATION: Final[msgspec.json.Decoder[AnyMutation]] = msgspec.json.Decoder(AnyMutation)
_MUTATION_ENVELOPE: Final = msgspec.json.Decoder(_MutationEnvelope)
_PULL_REQUEST: Final = msgspec.json.Decoder(PullRequest)
_SNAPSHOT_REQUEST: Final = msgspec.json.Decoder(SnapshotRequest)
_PUSH_RESPONSE: Final = msgspec.json.Decoder(PushResponse)
_PULL_RESPONSE: Final = msgspec.json.Decoder(PullResponse)
_SNAPSHOT_PAGE: Final = msgspec.json.Decoder(SnapshotPage)

_T = TypeVar("_T")
_NUL_ESCAPE: Final = b"\\u0000"
_ESCAPED_NUL: Final = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
"""JSON's only way to carry a NUL: ``\\u0000`` after an even run of backslashes. PostgreSQL cannot
store one, so such a mutation is rejected on its own instead of failing the whole push."""


def encode(message: msgspec.Struct) -> bytes:
    """JSON bytes of any sync message."""
    return _ENCODER.encode(message)


def _decode(decoder: msgspec.json.Decoder[_T], body: bytes) -> _T:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as err:  # ValidationError is a DecodeError
        raise InvalidMessageError(str(err)) from err
    except RecursionError as err:  # arrays or objects nested deeper than the decoder follows
        raise InvalidMessageError("the message is nested too deeply to read") from err


def _decode_mutation(raw: msgspec.Raw, may_hold_nul: bool) -> AnyMutation | InvalidMutation:
    try:
        mutation = _MUTATION.decode(raw)
    except msgspec.ValidationError as err:
        envelope = _decode(_MUTATION_ENVELOPE, bytes(raw))
        known = envelope.name in KNOWN_MUTATION_NAMES
        code = RejectionCode.INVALID_VALUE if known else RejectionCode.UNKNOWN_MUTATION
        return InvalidMutation(
            mutation_id=envelope.mutation_id,
            client_seq=envelope.client_seq,
            code=code,
            reason=str(err),
        )
    if may_hold_nul and _ESCAPED_NUL.search(bytes(raw)):
        return InvalidMutation(
            mutation_id=mutation.mutation_id,
            client_seq=mutation.client_seq,
            code=RejectionCode.INVALID_VALUE,
            reason="a text holds a NUL character, which cannot be stored",
        )
    return mutation


def decode_push(body: bytes, limits: PushLimits) -> PushBatch:
    """Read a push body, enforcing size limits and the schema version rule first."""
    if len(body) > limits.max_bytes:
        raise RequestTooLargeError(limits.max_mutations, limits.max_bytes)
    envelope = _decode(_PUSH_ENVELOPE, body)
    check_schema_version(envelope.schema_version)
    if len(envelope.mutations) > limits.max_mutations:
        raise RequestTooLargeError(limits.max_mutations, limits.max_bytes)
    may_hold_nul = _NUL_ESCAPE in body  # one fast scan; the exact test runs only if it hits
    return PushBatch(
        schema_version=envelope.schema_version,
        device_id=envelope.device_id,
        device_wall_ms=envelope.device_wall_ms,
        client_hlc=envelope.client_hlc,
        mutations=[_decode_mutation(raw, may_hold_nul) for raw in envelope.mutations],
    )


def batch_of(request: PushRequest) -> PushBatch:
    """The batch a well-formed request decodes to, without going through bytes."""
    return PushBatch(
        schema_version=request.schema_version,
        device_id=request.device_id,
        device_wall_ms=request.device_wall_ms,
        client_hlc=request.client_hlc,
        mutations=list(request.mutations),
    )


def decode_pull_request(body: bytes) -> PullRequest:
    """Read a pull body and check its schema version."""
    request = _decode(_PULL_REQUEST, body)
    check_schema_version(request.schema_version)
    return request


def decode_snapshot_request(body: bytes) -> SnapshotRequest:
    """Read a snapshot request and check its schema version."""
    request = _decode(_SNAPSHOT_REQUEST, body)
    check_schema_version(request.schema_version)
    return request


def decode_push_response(body: bytes) -> PushResponse:
    """Client side: read a push response."""
    return _decode(_PUSH_RESPONSE, body)


def decode_pull_response(body: bytes) -> PullResponse:
    """Client side: read a pull response."""
    return _decode(_PULL_RESPONSE, body)


def decode_snapshot_page(body: bytes) -> SnapshotPage:
    """Client side: read a snapshot page."""
    return _decode(_SNAPSHOT_PAGE, body)
