"""Change-log compaction (issue 4): each compaction run's record of every scope's head."""

from server.ddl import ddl_migration

ID = "2026-11-25T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change-log compaction marks"

STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS sync_marks ("
    "scope VARCHAR(100) NOT NULL, head BIGINT NOT NULL, marked_at TIMESTAMPTZ NOT NULL, "
    "PRIMARY KEY (scope, head))",
    "CREATE INDEX IF NOT EXISTS sync_marks_age ON sync_marks (marked_at)",
)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
