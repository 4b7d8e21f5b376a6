"""Verification media (issue 22): camera snapshots taken for alarms, the scan position of the
worker that finds those alarms, and an index that activation grouping reads signals by, as DDL
for SQLite and PostgreSQL."""

from server.ddl import Dialect, ddl_migration

ID = "2026-12-13T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "verification media"


def statements(dialect: Dialect) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS verification_captures ("
        f"id {dialect.serial}, alert_id INTEGER NOT NULL, incident_id INTEGER NOT NULL, "
        "camera_id INTEGER NOT NULL, camera_name VARCHAR(200) NOT NULL DEFAULT '', "
        "state VARCHAR(12) NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
        "alarm_at TIMESTAMPTZ NOT NULL, due_at TIMESTAMPTZ NOT NULL, "
        f"captured_at TIMESTAMPTZ, recording_id {dialect.uuid_text}, sha256 VARCHAR(64), "
        "width INTEGER, height INTEGER, error TEXT NOT NULL DEFAULT '', "
        "UNIQUE (alert_id, camera_id))",
        "CREATE INDEX IF NOT EXISTS verification_captures_due ON verification_captures "
        "(state, due_at)",
        "CREATE INDEX IF NOT EXISTS verification_captures_incident ON verification_captures "
        "(incident_id, id)",
        "CREATE TABLE IF NOT EXISTS verification_scan ("
        "id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS signals_alert ON signals (alert_id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
