from __future__ import annotations

import datetime as dt
import enum

import msgspec


class Role(enum.StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    CREW = "crew"
    UPLOAD_STATION = "upload_station"
    CAMERA = "camera"
    DEVICE = "device"


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: the token's id, name, role and (for crew tokens) the crew."""

    token_id: int
    name: str
    role: Role
    crew_id: int | None = None

    @property
    def actor(self) -> str:
        return f"{self.role.value}:{self.name}"


class IssuedToken(msgspec.Struct, frozen=True):
    id: int
    name: str
    role: Role
    crew_id: int | None
    token: str


class TokenOut(msgspec.Struct, frozen=True, kw_only=True):
    """A token as an admin sees it: never the secret, which exists only when it is issued."""

    id: int
    name: str
    role: Role
    crew_id: int | None
    revoked: bool
    created_at: dt.datetime
