from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditLogEntry(Table, tablename="audit_log"):
    """Append-only; each row's hash covers the previous row's hash (server/audit/repository.py)."""

    id: Serial
    at = Timestamptz()
    actor = Varchar(length=500)
    actor_token_id = Integer(null=True)
    user_id = Integer(null=True)
    role = Varchar(length=20)
    action = Varchar(length=100)
    target = Varchar(length=500)
    outcome = Varchar(length=40)
    address = Varchar(length=500)
    before = Text()
    after = Text()
    detail = Text()
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class AuditHeadRow(Table, tablename="audit_head"):
    """One row: the log's newest entry, its size, and the anchor retention left."""

    id: Serial
    last_id = Integer()
    last_hash = Varchar(length=64)
    entries = Integer()
    anchor_id = Integer()
    anchor_hash = Varchar(length=64)
