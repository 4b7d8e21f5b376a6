"""Review of recognition alerts (issue 25): every verdict a dispatcher gave on a face or plate
alert, the latest one per alert being the one in force, as DDL for SQLite and PostgreSQL."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-14T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "recognition reviews"


def statements(dialect: Dialect) -> Sequence[str]:
    return (
        "CREATE TABLE IF NOT EXISTS recognition_reviews ("
        f"id {dialect.serial}, alert_id INTEGER NOT NULL, verdict VARCHAR(8) NOT NULL, "
        "note VARCHAR(2000) NOT NULL DEFAULT '', reviewer VARCHAR(120) NOT NULL, "
        "negative_photo_id INTEGER, reviewed_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS recognition_reviews_alert "
        "ON recognition_reviews (alert_id, id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
