"""Share links as the API and the outside party's page see them (server/evidence/sharing.py)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec

from server.text import MAX_ID, NO_NUL

AwareDatetime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
RecordingId = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=36)]
Recipient = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=200)]
Reason = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=2000)]
Pin = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,12}$", description="4 to 12 digits")]


class ShareMode(enum.StrEnum):
    VIEW = "view"  # played in the page; the file is served inline, never as a download
    DOWNLOAD = "download"  # the file is served as an attachment


class ShareState(enum.StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"  # too many wrong PINs: refused until locked_until
    EXPIRED = "expired"
    REVOKED = "revoked"


class ShareIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One recording (`recording_id`) or an incident's evidence (`incident_id`), not both."""

    recording_id: RecordingId | None = None
    incident_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    recipient: Recipient
    """Who the link is for, as the custody log should name them ("Prosecutor A. Karimov")."""
    reason: Reason
    expires_at: AwareDatetime
    """When the link stops working; at most `share_max_days` ahead."""
    mode: ShareMode = ShareMode.VIEW
    pin: Pin | None = None
    """Told to the recipient apart from the link (by phone); stored only as a slow hash."""


class RevokeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Reason


class NewShare(msgspec.Struct, frozen=True, kw_only=True):
    """A share as created (never the token: only its hash)."""

    token_sha256: str
    recording_id: str | None
    incident_id: int | None
    recordings: list[str]
    recipient: str
    reason: str
    mode: ShareMode
    expires_at: dt.datetime
    pin_hash: str | None
    created_by: str
    created_at: dt.datetime


class ShareRecord(NewShare, frozen=True, kw_only=True):
    """A share as stored: what it was created with, and what happened to it since."""

    id: int
    revoked_at: dt.datetime | None
    revoked_by: str | None
    revoke_reason: str | None
    pin_failures: int
    locked_until: dt.datetime | None
    access_count: int
    last_access_at: dt.datetime | None


class ShareOut(msgspec.Struct, frozen=True, kw_only=True):
    """A share as staff see it: its state and use, never its token or PIN."""

    id: int
    state: ShareState
    recording_id: str | None
    incident_id: int | None
    recordings: list[str]
    recipient: str
    reason: str
    mode: ShareMode
    has_pin: bool
    expires_at: dt.datetime
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None
    revoke_reason: str | None
    locked_until: dt.datetime | None
    access_count: int
    """Page views and file requests served through the link (refusals are on custody only)."""
    last_access_at: dt.datetime | None


class ShareCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The link, shown this once: only its hash is kept, so it cannot be shown again."""

    share: ShareOut
    url: str
    path: str


class SharedItem(msgspec.Struct, frozen=True, kw_only=True):
    """One recording as the outside party's page lists it."""

    recording_id: str
    title: str
    file_name: str
    camera: str
    recorded_start: dt.datetime | None
    duration_s: float | None
    size_bytes: int | None
    sha256: str | None
    available: bool
    """False when the file is gone (deleted at the end of retention) or was never verified."""


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """Who used a link, as far as the request tells: the custody log records it."""

    address: str
    user_agent: str
