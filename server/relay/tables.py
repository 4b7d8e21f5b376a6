from piccolo.columns import JSON, BigInt, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class StreamHead(Table, tablename="stream_heads"):
    """The last sequence number handed out per stream, bumped inside the writing transaction."""

    stream = Varchar(length=64, primary_key=True)
    last_seq = BigInt(default=0)


class OutboxEvent(Table, tablename="outbox"):
    id: Serial
    stream = Varchar(length=64)
    seq = BigInt()
    type = Varchar(length=30)
    data = Text()
    created_at = Timestamptz()


class AppliedOp(Table, tablename="applied_ops"):
    """Client operation ids already applied, with the stored result replayed on a retry."""

    op_id = Varchar(length=64, primary_key=True)
    """SHA-256 of caller, incident and the client's op_id (server/incidents/operations.py)."""
    request_hash = Varchar(length=64, default="")
    result = JSON(default="{}")
    created_at = Timestamptz()


class Receipt(Table, tablename="receipts"):
    """Delivery receipts: one per stream event and receiver."""

    key = Varchar(length=200, primary_key=True)
    created_at = Timestamptz()


class Meta(Table, tablename="posbon_meta"):
    key = Varchar(length=64, primary_key=True)
    value = Text()
