"""UUIDs for rows the server numbers itself (incidents, crews), so sync entities can name them.

Tablets create their own rows with UUIDv7 ids, but incidents and crews are made by the server
and numbered by it. A sync mutation that refers to one (a report's incident, a status change's
crew) carries this UUID: a fixed prefix, the version-8 nibble (RFC 9562 "custom"), the kind in
12 bits and the server's number in the low 62 bits. It converts both ways without a lookup
table, so a tablet that learned incident 42 over its socket can write about it offline.
"""

from __future__ import annotations

import enum
import uuid
from typing import Final

_PREFIX: Final = 0x706F73626F6E  # "posbon": the top 48 bits
_VERSION: Final = 8
_VARIANT: Final = 0b10
_NUMBER_BITS: Final = 62
MAX_NUMBER: Final = (1 << _NUMBER_BITS) - 1


class ServerKind(enum.IntEnum):
    """The kinds of server-numbered rows a sync entity may refer to."""

    INCIDENT = 1
    CREW = 2


def _high(kind: ServerKind) -> int:
    return (_PREFIX << 16) | (_VERSION << 12) | int(kind)


def server_uuid(kind: ServerKind, number: int) -> uuid.UUID:
    """The UUID that stands for server row ``number`` of ``kind``."""
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"{number} is not a server row number")
    low = (_VARIANT << _NUMBER_BITS) | number
    return uuid.UUID(int=(_high(kind) << 64) | low)


def server_number(kind: ServerKind, value: uuid.UUID) -> int | None:
    """The server row number ``value`` stands for, or None if it names no ``kind`` row."""
    if value.int >> 64 != _high(kind) or (value.int >> _NUMBER_BITS) & 0b11 != _VARIANT:
        return None
    number = value.int & MAX_NUMBER
    return number or None


def incident_uuid(incident_id: int) -> uuid.UUID:
    """The UUID of server incident ``incident_id``."""
    return server_uuid(ServerKind.INCIDENT, incident_id)


def crew_uuid(crew_id: int) -> uuid.UUID:
    """The UUID of server crew ``crew_id``."""
    return server_uuid(ServerKind.CREW, crew_id)
