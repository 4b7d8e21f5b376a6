"""Indexes the auto-migration cannot express: composite keys for the outbox and the timeline."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS outbox_stream_seq ON outbox (stream, seq)",
    "CREATE INDEX IF NOT EXISTS timeline_incident_id ON timeline (incident_id, id)",
    "CREATE INDEX IF NOT EXISTS dispatches_open ON dispatches (active, acknowledged_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS devices_protocol_account ON devices (protocol, account)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
