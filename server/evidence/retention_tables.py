"""Retention and legal hold tables; migration 0014_retention.py creates them with plain DDL.

Writers: retention_categories, retention and incident_retention by
server/evidence/retention_repository.py; legal_holds by server/evidence/holds_repository.py.
"""

from typing import ClassVar

from piccolo.columns import BigInt, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class RetentionCategory(Table, tablename="retention_categories"):
    """How long evidence of a kind is kept, in seconds (99 years does not fit 32 bits)."""

    SEEDED_BY_MIGRATION: ClassVar[bool] = True
    """Migration 0014 writes the default categories: `posbon db copy` replaces them with the
    source's rows instead of asking for an empty table."""

    name = Varchar(length=40, primary_key=True)
    title = Varchar(length=200)
    duration_s = BigInt()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    updated_by = Varchar(length=120)


class RetentionRecord(Table, tablename="retention"):
    """One verified recording's retention: its category and expiry, a shortening waiting for a
    second person, and the state of its deletion (kept → deleting → deleted, the tombstone)."""

    recording_id = Varchar(length=36, primary_key=True)
    sha256 = Varchar(length=64)
    category = Varchar(length=40)
    base_at = Timestamptz()
    expires_at = Timestamptz()
    link_mark = BigInt(default=0)
    state = Varchar(length=16)
    pending_category = Varchar(length=40, null=True, default=None)
    pending_by = Varchar(length=120, null=True, default=None)
    pending_reason = Text(null=True, default=None)
    pending_at = Timestamptz(null=True, default=None)
    deleting_since = Timestamptz(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)
    deleted_reason = Text(null=True, default=None)


class IncidentRetention(Table, tablename="incident_retention"):
    """The category an incident gives its evidence (none set: `incident`)."""

    incident_id = Integer(primary_key=True)
    category = Varchar(length=40)
    set_by = Varchar(length=120)
    set_at = Timestamptz()
    reason = Text()


class LegalHold(Table, tablename="legal_holds"):
    """A hold on one recording or on every recording of an incident (linked now or later)."""

    id: Serial
    recording_id = Varchar(length=36, null=True, default=None)
    incident_id = Integer(null=True, default=None)
    reason = Text()
    placed_by = Varchar(length=120)
    placed_at = Timestamptz()
    released_by = Varchar(length=120, null=True, default=None)
    released_reason = Text(null=True, default=None)
    released_at = Timestamptz(null=True, default=None)
