"""Client operation ids are kept per caller and incident, with a fingerprint of the request
(server/incidents/operations.py): `applied_ops.op_id` now holds the SHA-256 of caller, incident
and op_id, and `request_hash` the request's. Rows from before keep an empty fingerprint; their
raw op_ids never equal a new key, so they are simply never matched again."""

from server.ddl import ddl_migration

ID = "2026-12-10T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "applied_ops.request_hash"

STATEMENTS = ("ALTER TABLE applied_ops ADD COLUMN request_hash VARCHAR(64) NOT NULL DEFAULT ''",)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
