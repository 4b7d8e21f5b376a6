"""Retention categories, each recording's retention and deletion tombstone, incident
categories and legal holds (issue 24), as DDL for SQLite and PostgreSQL; the default
categories are seeded here so a fresh deployment keeps evidence by a known rule from the start."""

from server.ddl import ddl_migration

ID = "2026-12-12T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "retention categories, recording retention, legal holds"

DAY_S = 86_400
YEAR_S = 365 * DAY_S
DEFAULT_CATEGORIES = (
    ("no_incident", "No incident", 30 * DAY_S),
    ("incident", "Incident", 3 * YEAR_S),
    ("homicide", "Homicide", 99 * YEAR_S),
)


def statements(serial: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS retention_categories ("
        "name VARCHAR(40) PRIMARY KEY, title VARCHAR(200) NOT NULL, duration_s BIGINT NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, "
        "updated_by VARCHAR(120) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS retention ("
        "recording_id VARCHAR(36) PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, "
        "category VARCHAR(40) NOT NULL, base_at TIMESTAMPTZ NOT NULL, "
        "expires_at TIMESTAMPTZ NOT NULL, link_mark BIGINT NOT NULL DEFAULT 0, "
        "state VARCHAR(16) NOT NULL, pending_category VARCHAR(40), pending_by VARCHAR(120), "
        "pending_reason TEXT, pending_at TIMESTAMPTZ, deleting_since TIMESTAMPTZ, "
        "deleted_at TIMESTAMPTZ, deleted_reason TEXT)",
        "CREATE INDEX IF NOT EXISTS retention_due ON retention (state, expires_at)",
        "CREATE INDEX IF NOT EXISTS retention_sha256 ON retention (sha256)",
        "CREATE TABLE IF NOT EXISTS incident_retention ("
        "incident_id INTEGER PRIMARY KEY, category VARCHAR(40) NOT NULL, "
        "set_by VARCHAR(120) NOT NULL, set_at TIMESTAMPTZ NOT NULL, reason TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS legal_holds ("
        f"id {serial}, recording_id VARCHAR(36), incident_id INTEGER, reason TEXT NOT NULL, "
        "placed_by VARCHAR(120) NOT NULL, placed_at TIMESTAMPTZ NOT NULL, "
        "released_by VARCHAR(120), released_reason TEXT, released_at TIMESTAMPTZ)",
        "CREATE INDEX IF NOT EXISTS legal_holds_recording ON legal_holds (recording_id)",
        "CREATE INDEX IF NOT EXISTS legal_holds_incident ON legal_holds (incident_id)",
    )


def seed(now: str) -> tuple[str, ...]:
    """The default categories; `now` is the engine's expression for the current time."""
    return tuple(
        "INSERT INTO retention_categories "  # noqa: S608  (our own constants)
        "(name, title, duration_s, created_at, updated_at, updated_by) "
        f"VALUES ('{name}', '{title}', {duration_s}, {now}, {now}, 'system') "
        "ON CONFLICT (name) DO NOTHING"
        for name, title, duration_s in DEFAULT_CATEGORIES
    )


forwards = ddl_migration(
    ID, DESCRIPTION, lambda dialect: (*statements(dialect.serial), *seed(dialect.now))
)
