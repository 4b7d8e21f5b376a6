"""The outcome a crew's synced report proposes is kept on its incident, beside the one outcome a
close confirms (`incidents.outcome`, which statistics read)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-11T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "incidents.proposed_outcome"

STATEMENTS = ("ALTER TABLE incidents ADD COLUMN proposed_outcome VARCHAR(40) NULL DEFAULT NULL",)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def add_column() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_column)
    return manager
