"""What each camera last raised for each person or plate (H1): the cooldown's truth, shared by
every node, so a camera whose frames move to another node (or a node that restarts) makes a
sighting of the alert already raised, not a second alert. One row per camera and subject."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-15T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "recognition subjects"


def statements(dialect: Dialect) -> Sequence[str]:
    return (
        "CREATE TABLE IF NOT EXISTS recognition_subjects ("
        f"id {dialect.serial}, camera_id INTEGER NOT NULL, subject VARCHAR(120) NOT NULL, "
        "alert_id INTEGER NOT NULL, incident_id INTEGER, crop_id INTEGER, "
        "last_seen_at TIMESTAMPTZ NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS recognition_subjects_key "
        "ON recognition_subjects (camera_id, subject)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
