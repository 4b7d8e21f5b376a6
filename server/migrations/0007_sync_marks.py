"""Change-log compaction (issue 4): each compaction run's record of every scope's head."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T11:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync change-log compaction marks"

STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS sync_marks ("
    "scope VARCHAR(100) NOT NULL, head BIGINT NOT NULL, marked_at TIMESTAMPTZ NOT NULL, "
    "PRIMARY KEY (scope, head))",
    "CREATE INDEX IF NOT EXISTS sync_marks_age ON sync_marks (marked_at)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def create_tables() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_tables)
    return manager
