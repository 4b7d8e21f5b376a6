"""An index for the open alerts of one device and kind: every alarm from a device looks them up
to fold into its open incident (server/signals/grouping.py), so an alarm flood costs an index
probe per frame, not a scan of every alert."""

from server.ddl import ddl_migration

ID = "2026-12-06T21:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alerts by device and kind"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS alerts_device_kind ON alerts (device_id, kind, id)",)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
