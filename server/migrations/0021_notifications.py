"""Outbound notices (issue 22): the notifications table, a durable outbox of SMS and Telegram
notices to key-holders and the duty desk, as DDL for SQLite and PostgreSQL."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-13T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbound notices"


def statements(dialect: Dialect) -> Sequence[str]:
    return (
        "CREATE TABLE IF NOT EXISTS notifications ("
        f"id {dialect.serial}, incident_id INTEGER NOT NULL, channel VARCHAR(16) NOT NULL, "
        "contact_id INTEGER, recipient_name VARCHAR(200) NOT NULL, "
        "address VARCHAR(64) NOT NULL, template VARCHAR(32) NOT NULL, "
        "language VARCHAR(8) NOT NULL, body TEXT NOT NULL, state VARCHAR(16) NOT NULL, "
        "attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TIMESTAMPTZ NOT NULL, "
        "provider_id VARCHAR(80), last_error TEXT NOT NULL DEFAULT '', "
        "requested_by VARCHAR(120) NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS notifications_due ON notifications (state, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS notifications_incident ON notifications (incident_id)",
        "CREATE INDEX IF NOT EXISTS notifications_provider ON notifications (channel, provider_id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
