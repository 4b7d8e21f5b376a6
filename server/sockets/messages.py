"""Messages on /ws/crew and /ws/dispatch (DESIGN §5). Tolerant: unknown fields are ignored.

What a client sends is bounded by the same types as the REST bodies it stands for (a status
change's note and op_id are `StatusIn`'s), so a socket is no way around the API's limits.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

import msgspec

from server.incidents.schemas import OpId
from server.text import MAX_ID, Text2000
from sync.lattices import IncidentStatus

MAX_CLIENT_MESSAGE_CHARS: Final = 16 * 1024
"""Longer than any valid client message (a 2,000-character note escaped in JSON included)."""
Token = Annotated[str, msgspec.Meta(max_length=200)]
Epoch = Annotated[str, msgspec.Meta(max_length=64)]


class Hello(msgspec.Struct, tag="hello", tag_field="type"):
    token: Token
    last_seq: Annotated[int, msgspec.Meta(ge=0, le=2**62)] | None = None
    epoch: Epoch | None = None


class Ack(msgspec.Struct, tag="ack", tag_field="type"):
    seq: Annotated[int, msgspec.Meta(ge=0, le=2**62)]


class Position(msgspec.Struct, tag="position", tag_field="type"):
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    at: dt.datetime | None = None
    accuracy_m: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None


class StatusChange(msgspec.Struct, tag="status", tag_field="type"):
    incident_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    status: IncidentStatus
    op_id: OpId
    at: dt.datetime | None = None
    note: Text2000 = ""


class Heartbeat(msgspec.Struct, tag="heartbeat", tag_field="type"):
    pass


ClientMessage = Ack | Position | StatusChange | Heartbeat


class Welcome(msgspec.Struct, tag="welcome", tag_field="type"):
    stream: str
    epoch: str
    seq: int


class Resync(msgspec.Struct, tag="resync", tag_field="type"):
    seq: int
    reason: str


class StatusResult(msgspec.Struct, tag="status_result", tag_field="type"):
    op_id: str
    ok: bool
    incident: Any = None
    code: str | None = None
    detail: str | None = None


class ErrorMessage(msgspec.Struct, tag="error", tag_field="type"):
    code: str
    detail: str


class Pong(msgspec.Struct, tag="pong", tag_field="type"):
    pass


hello_decoder: msgspec.json.Decoder[Hello] = msgspec.json.Decoder(Hello)
client_decoder: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)
encoder = msgspec.json.Encoder()


def decode_client(raw: str) -> ClientMessage | ErrorMessage:
    """The client's message, or the error to answer it with."""
    if len(raw) > MAX_CLIENT_MESSAGE_CHARS:
        detail = f"A message may hold at most {MAX_CLIENT_MESSAGE_CHARS} characters."
        return ErrorMessage(code="message_too_long", detail=detail)
    try:
        return client_decoder.decode(raw)
    except msgspec.DecodeError as err:
        return ErrorMessage(code="bad_message", detail=str(err))
