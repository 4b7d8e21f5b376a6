"""Site schedules and on-test windows (issue 22, items 3 and 4): each site's opening hours, the
late-to-close deadlines already settled (one row each, so a restart or a second node never
raises one twice) and the windows a site or device is on test, as DDL for SQLite and PostgreSQL.
"""

from server.ddl import Dialect, ddl_migration

ID = "2026-12-13T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "site schedules, late-to-close deadlines, on-test windows"


def statements(dialect: Dialect) -> list[str]:
    # Test ids are never reused (see 0010_ids_never_reused.py): a report names its window by id.
    serial = f"{dialect.serial} AUTOINCREMENT" if dialect.sqlite else dialect.serial
    return [
        "CREATE TABLE IF NOT EXISTS site_schedules ("
        f"id {dialect.serial}, site_id INTEGER NOT NULL UNIQUE, weekly TEXT NOT NULL, "
        "holidays TEXT NOT NULL, "
        "exceptions TEXT NOT NULL, time_zone VARCHAR(64) NOT NULL, "
        "late_grace_s DOUBLE PRECISION NOT NULL, updated_by VARCHAR(120) NOT NULL, "
        "updated_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE IF NOT EXISTS schedule_deadlines ("
        f"id {dialect.serial}, site_id INTEGER NOT NULL, close_at TIMESTAMPTZ NOT NULL, "
        "settled_at TIMESTAMPTZ NOT NULL, alert_id INTEGER, UNIQUE (site_id, close_at))",
        "CREATE INDEX IF NOT EXISTS schedule_deadlines_close ON schedule_deadlines (close_at)",
        "CREATE TABLE IF NOT EXISTS site_tests ("
        f"id {serial}, site_id INTEGER, device_id INTEGER, "
        "reason TEXT NOT NULL DEFAULT '', started_by VARCHAR(120) NOT NULL, "
        "started_at TIMESTAMPTZ NOT NULL, ends_at TIMESTAMPTZ NOT NULL, "
        "ended_at TIMESTAMPTZ, ended_by VARCHAR(120))",
        "CREATE INDEX IF NOT EXISTS site_tests_site ON site_tests (site_id, ends_at)",
        "CREATE INDEX IF NOT EXISTS site_tests_device ON site_tests (device_id, ends_at)",
    ]


forwards = ddl_migration(ID, DESCRIPTION, statements)
