"""People who sign in, as the rest of the server sees them (never a hash or a TOTP secret)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from server.auth.schemas import EVERYWHERE, Role, Scope

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
Code = Annotated[str, msgspec.Meta(max_length=12)]


class Source(enum.StrEnum):
    LOCAL = "local"
    """Signs in with a password (and a TOTP code) kept here."""
    OIDC = "oidc"
    """Signs in through the city's identity provider; no password is kept here."""


class Account(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    username: str
    display_name: str
    role: Role
    source: Source = Source.LOCAL
    scope: Scope = EVERYWHERE
    totp_required: bool = False
    disabled: bool = False


class SignIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    username: Username
    password: Password
    code: Code | None = None


class SessionOut(msgspec.Struct, frozen=True, kw_only=True):
    """A session as its browser sees it: the CSRF token to echo in X-CSRF-Token (also in the
    readable `posbon_csrf` cookie), when it ends at the latest, and after how long unused."""

    user: Account
    csrf: str
    expires_at: dt.datetime
    idle_timeout_s: float


class Whoami(msgspec.Struct, frozen=True, kw_only=True):
    """Who the caller is: a person's session carries its account, a token only its own name."""

    token_id: int
    name: str
    role: Role
    kind: str
    scope: Scope = EVERYWHERE
    user: Account | None = None
