"""The sync tables. The migration (0003_sync.py) creates them with plain DDL, because several
have composite keys piccolo cannot declare: the column marked ``primary_key`` here is the first
column of the real key, which the comment on each table names."""

from piccolo.columns import BigInt, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

UUID_CHARS = 36


class SyncDevice(Table, tablename="sync_devices"):
    """A device that pushes: its last accepted client_seq and who it belongs to."""

    device_id = Varchar(length=UUID_CHARS, primary_key=True)
    owner = Varchar(length=120)
    last_seq = BigInt(default=0)
    schema_version = Integer(default=0)
    clock_offset_ms = BigInt(default=0)
    first_seen_at = Timestamptz()
    last_seen_at = Timestamptz()


class SyncResult(Table, tablename="sync_results"):
    """Key (device_id, client_seq): the stored result of every mutation, replayed on a retry."""

    device_id = Varchar(length=UUID_CHARS, primary_key=True)
    client_seq = BigInt()
    mutation_id = Varchar(length=UUID_CHARS)
    status = Varchar(length=10)
    code = Varchar(length=40, null=True, default=None)
    reason = Text(default="")
    body = Text()
    created_at = Timestamptz()


class SyncEntity(Table, tablename="sync_entities"):
    """Key (entity_id, kind): an entity's stamped fields and the scopes it belongs to.

    The id leads the key so a batch's lookup by ids uses it even before PostgreSQL has
    statistics for the table (with the kind first it scanned every row of that kind).
    """

    entity_id = Varchar(length=UUID_CHARS, primary_key=True)
    kind = Varchar(length=20)
    fields = Text()
    scopes = Text()


class SyncMember(Table, tablename="sync_members"):
    """Key (scope, entity_id, kind): which entities a scope's snapshot holds, by id."""

    scope = Varchar(length=100, primary_key=True)
    entity_id = Varchar(length=UUID_CHARS)
    kind = Varchar(length=20)


class SyncScope(Table, tablename="sync_scopes"):
    """A scope's change-log head (bumped inside the writing transaction) and horizon."""

    scope = Varchar(length=100, primary_key=True)
    head = BigInt(default=0)
    horizon = BigInt(default=1)


class SyncChange(Table, tablename="sync_changes"):
    """Key (scope, seq): the change log pulls read."""

    scope = Varchar(length=100, primary_key=True)
    seq = BigInt()
    kind = Varchar(length=20)
    entity_id = Varchar(length=UUID_CHARS)
    fields = Text()


class SyncMark(Table, tablename="sync_marks"):
    """Key (scope, head): a scope's head as a compaction run saw it (see sync/compaction)."""

    scope = Varchar(length=100, primary_key=True)
    head = BigInt()
    marked_at = Timestamptz()


class SyncConflict(Table, tablename="sync_conflicts"):
    """A losing value kept for a dispatcher; unique on the lost write."""

    id: Serial
    kind = Varchar(length=20)
    entity_id = Varchar(length=UUID_CHARS)
    field = Varchar(length=64)
    losing_value = Text()
    losing_hlc = BigInt()
    losing_device = Varchar(length=UUID_CHARS)
    winning_value = Text()
    winning_hlc = BigInt()
    winning_device = Varchar(length=UUID_CHARS)
    mutation_id = Varchar(length=UUID_CHARS)
    status = Varchar(length=10, default="open")
    resolution = Varchar(length=10, null=True, default=None)
    resolved_by = Varchar(length=120, null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
