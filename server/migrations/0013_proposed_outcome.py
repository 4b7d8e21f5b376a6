"""The outcome a crew's synced report proposes is kept on its incident, beside the one outcome a
close confirms (`incidents.outcome`, which statistics read)."""

from server.ddl import ddl_migration

ID = "2026-12-11T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "incidents.proposed_outcome"

STATEMENTS = ("ALTER TABLE incidents ADD COLUMN proposed_outcome VARCHAR(40) NULL DEFAULT NULL",)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
