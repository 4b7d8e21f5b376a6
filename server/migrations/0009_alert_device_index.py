"""An index for the open alerts of one device and kind: every alarm from a device looks them up
to fold into its open incident (server/signals/grouping.py), so an alarm flood costs an index
probe per frame, not a scan of every alert."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T21:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alerts by device and kind"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS alerts_device_kind ON alerts (device_id, kind, id)",)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def create_index() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_index)
    return manager
