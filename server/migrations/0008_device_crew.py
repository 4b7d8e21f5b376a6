"""A phone or tablet device (OsmAnd, GT06) may belong to a crew: its positions move the crew."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-04T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "devices.crew"

STATEMENTS = (
    "ALTER TABLE devices ADD COLUMN crew INTEGER NULL REFERENCES crews (id) ON DELETE SET NULL",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def add_column() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(add_column)
    return manager
