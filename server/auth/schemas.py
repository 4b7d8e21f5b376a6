from __future__ import annotations

import datetime as dt
import enum
from typing import Final

import msgspec


class Role(enum.StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    CREW = "crew"
    UPLOAD_STATION = "upload_station"
    CAMERA = "camera"
    DEVICE = "device"


class Scope(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """How far a token or a person reaches within its role: None means no narrower than the role.

    `districts` are `sites.district` values (a district's dispatcher or commander sees only those
    sites and what happens at them); `cameras` and `watchlists` are ids (a recognition reviewer).
    An upload station always sees only its own uploads; that needs no scope.
    """

    districts: frozenset[str] | None = None
    cameras: frozenset[int] | None = None
    watchlists: frozenset[int] | None = None

    @property
    def unlimited(self) -> bool:
        return self.districts is None and self.cameras is None and self.watchlists is None


EVERYWHERE: Final = Scope()


class TokenKind(enum.StrEnum):
    TOKEN = "token"  # noqa: S105  (a kind, not a secret)
    """A bearer token for a device, camera, upload station, tablet or integration."""
    SESSION = "session"
    """A signed-in person's browser session (its secret lives in an HttpOnly cookie)."""


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: the token's id, name, role, (for crew tokens) the crew, the scope, and for
    a person's session the user it belongs to."""

    token_id: int
    name: str
    role: Role
    crew_id: int | None = None
    scope: Scope = EVERYWHERE
    user_id: int | None = None
    kind: TokenKind = TokenKind.TOKEN

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
    kind: TokenKind = TokenKind.TOKEN
    user_id: int | None = None
    scope: Scope = EVERYWHERE
    last_used_at: dt.datetime | None = None
