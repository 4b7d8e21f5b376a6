"""A phone or tablet device (OsmAnd, GT06) may belong to a crew: its positions move the crew."""

from server.ddl import ddl_migration

ID = "2026-12-04T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "devices.crew"

STATEMENTS = (
    "ALTER TABLE devices ADD COLUMN crew INTEGER NULL REFERENCES crews (id) ON DELETE SET NULL",
)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
