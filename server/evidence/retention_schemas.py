"""What retention and legal hold read and answer: categories, a recording's retention with its
pending change, holds and tombstone, and the report of one run of the retention job."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Final

import msgspec

from server.text import NO_NUL, Text200, Text2000

MAX_DURATION_S: Final = 200 * 365 * 86_400
"""Longer than anyone keeps evidence (99 years is the usual most); larger is a typing error."""

CategoryName = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,40}$")]
Reason = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=2000)]
DurationS = Annotated[int, msgspec.Meta(ge=1, le=MAX_DURATION_S)]


class RetentionState(enum.StrEnum):
    """kept → deleting (claimed by the job) → deleted (bytes gone, metadata kept: a tombstone).
    A claimed recording found held again goes back to kept."""

    KEPT = "kept"
    DELETING = "deleting"
    DELETED = "deleted"


class Category(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    title: str
    duration_s: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str


class CategoryIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: CategoryName
    title: Text200 = ""
    duration_s: DurationS


class CategoryUpdateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A category may only grow longer: what is kept for less goes to another category, one
    recording at a time, with a second person's confirmation."""

    title: Text200 | None = None
    duration_s: DurationS | None = None
    reason: Reason


class RetentionChangeIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    category: CategoryName
    reason: Reason


class ConfirmIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Text2000 = ""


class HoldIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class RetentionRow(msgspec.Struct, frozen=True, kw_only=True):
    """A recording's stored retention (the repository's view of a `retention` row)."""

    recording_id: str
    sha256: str
    category: str
    base_at: dt.datetime
    """When its file was verified: the server's clock, not the camera's, starts the period."""
    expires_at: dt.datetime
    link_mark: int
    """The last `linked` custody entry taken into account (a later link may lengthen)."""
    state: RetentionState
    pending_category: str | None = None
    pending_by: str | None = None
    pending_reason: str | None = None
    pending_at: dt.datetime | None = None
    deleting_since: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    deleted_reason: str | None = None


class PendingChange(msgspec.Struct, frozen=True, kw_only=True):
    """A shortening that waits for a second person."""

    category: str
    requested_by: str
    reason: str
    requested_at: dt.datetime
    expires_at_if_confirmed: dt.datetime


class Tombstone(msgspec.Struct, frozen=True, kw_only=True):
    deleted_at: dt.datetime
    reason: str


class Hold(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    recording_id: str | None
    incident_id: int | None
    reason: str
    placed_by: str
    placed_at: dt.datetime
    released_by: str | None = None
    released_reason: str | None = None
    released_at: dt.datetime | None = None
    """None while the hold is in force."""


class Retention(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /api/v1/recordings/{id}/retention`."""

    recording_id: str
    category: str
    expires_at: dt.datetime
    state: RetentionState
    held: bool
    holds: list[Hold]
    pending: PendingChange | None = None
    deleted: Tombstone | None = None


class IncidentCategory(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to setting an incident's category: what changed at once, what waits."""

    incident_id: int
    category: str
    applied: list[str]
    pending: list[str]
    unchanged: list[str]


class RunReport(msgspec.Struct, kw_only=True):
    """One run of the retention job."""

    assigned: int = 0
    """Recordings that got their first category (or a longer one from a new incident link)."""
    expired: int = 0
    held: int = 0
    """Expired recordings kept because a legal hold covers them."""
    deleted: int = 0
    files_deleted: int = 0
    """Files removed from the store (a file another live recording shares stays)."""
