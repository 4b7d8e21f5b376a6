"""Indexes the auto-migration cannot express: composite keys for the outbox and the timeline."""

from server.ddl import ddl_migration

ID = "2026-11-25T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS outbox_stream_seq ON outbox (stream, seq)",
    "CREATE INDEX IF NOT EXISTS timeline_incident_id ON timeline (incident_id, id)",
    "CREATE INDEX IF NOT EXISTS dispatches_open ON dispatches (active, acknowledged_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS devices_protocol_account ON devices (protocol, account)",
)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
