from piccolo.columns import (
    JSON,
    Boolean,
    Float,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Incident(Table, tablename="incidents"):
    id: Serial
    kind = Varchar(length=40)
    priority = Integer(default=2)
    status = Varchar(length=20, default="new", index=True)
    site_id = Integer(null=True, default=None)
    lat = Float(null=True, default=None)
    lon = Float(null=True, default=None)
    address = Varchar(length=400, default="")
    title = Varchar(length=400, default="")
    crew_id = Integer(null=True, default=None)
    outcome = Varchar(length=40, null=True, default=None)
    outcome_notes = Varchar(length=2000, default="")
    persons_detained = Integer(default=0)
    proposed_outcome = Varchar(length=40, null=True, default=None)
    """The outcome the crew's synced report proposes (server/incidents/reports.py)."""
    created_at = Timestamptz()
    updated_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class TimelineEntry(Table, tablename="timeline"):
    """Append-only; each row's hash covers the previous row's hash of the same incident."""

    id: Serial
    incident_id = Integer(index=True)
    at = Timestamptz()
    actor = Varchar(length=120)
    kind = Varchar(length=30)
    from_status = Varchar(length=20, null=True, default=None)
    to_status = Varchar(length=20, null=True, default=None)
    device_at = Timestamptz(null=True, default=None)
    data = JSON(default="{}")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class Dispatch(Table, tablename="dispatches"):
    """One crew sent to one incident, with its stored deadlines (a restart keeps them)."""

    id: Serial
    incident_id = Integer(index=True)
    crew_id = Integer()
    created_at = Timestamptz()
    resend_at = Timestamptz(null=True, default=None)
    escalate_at = Timestamptz(null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    resent_count = Integer(default=0)
    escalated = Boolean(default=False)
    active = Boolean(default=True)


class AppliedOp(Table, tablename="applied_ops"):
    """Client operation ids already applied, with the stored result replayed on a retry."""

    op_id = Varchar(length=64, primary_key=True)
    """SHA-256 of caller, incident and the client's op_id (server/incidents/operations.py)."""
    request_hash = Varchar(length=64, default="")
    result = JSON(default="{}")
    created_at = Timestamptz()


class Receipt(Table, tablename="receipts"):
    """Delivery receipts: one per stream event and receiver (server/incidents/service.py:
    `record_delivery`, written as a crew's socket acks a dispatch)."""

    key = Varchar(length=200, primary_key=True)
    created_at = Timestamptz()
