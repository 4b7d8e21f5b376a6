"""The offline-sync tables (issue 4), as plain DDL that runs on SQLite and PostgreSQL.

Ids are UUID strings; on PostgreSQL the id columns sort with the "C" collation so that
snapshot pages ordered by id follow the ids' numeric order, as they do on SQLite.
"""

from server.ddl import ddl_migration

ID = "2026-11-25T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "offline sync: devices, results, entities, scopes, change log, conflicts"


def statements(serial: str, uuid_text: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS sync_devices ("
        f"device_id {uuid_text} PRIMARY KEY, owner VARCHAR(120) NOT NULL, "
        "last_seq BIGINT NOT NULL DEFAULT 0, schema_version INTEGER NOT NULL DEFAULT 0, "
        "clock_offset_ms BIGINT NOT NULL DEFAULT 0, first_seen_at TIMESTAMPTZ NOT NULL, "
        "last_seen_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sync_results ("
        f"device_id {uuid_text} NOT NULL, client_seq BIGINT NOT NULL, "
        f"mutation_id {uuid_text} NOT NULL, status VARCHAR(10) NOT NULL, code VARCHAR(40), "
        "reason TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, "
        "PRIMARY KEY (device_id, client_seq))",
        "CREATE INDEX IF NOT EXISTS sync_results_rejected ON sync_results (created_at) "
        "WHERE status = 'rejected'",
        "CREATE TABLE IF NOT EXISTS sync_entities ("
        f"kind VARCHAR(20) NOT NULL, entity_id {uuid_text} NOT NULL, fields TEXT NOT NULL, "
        "scopes TEXT NOT NULL, PRIMARY KEY (entity_id, kind))",
        "CREATE TABLE IF NOT EXISTS sync_members ("
        f"scope VARCHAR(100) NOT NULL, entity_id {uuid_text} NOT NULL, kind VARCHAR(20) NOT NULL, "
        "PRIMARY KEY (scope, entity_id, kind))",
        "CREATE TABLE IF NOT EXISTS sync_scopes ("
        "scope VARCHAR(100) PRIMARY KEY, head BIGINT NOT NULL DEFAULT 0, "
        "horizon BIGINT NOT NULL DEFAULT 1)",
        "CREATE TABLE IF NOT EXISTS sync_changes ("
        "scope VARCHAR(100) NOT NULL, seq BIGINT NOT NULL, kind VARCHAR(20) NOT NULL, "
        f"entity_id {uuid_text} NOT NULL, fields TEXT NOT NULL, PRIMARY KEY (scope, seq))",
        "CREATE TABLE IF NOT EXISTS sync_conflicts ("
        f"id {serial}, kind VARCHAR(20) NOT NULL, entity_id {uuid_text} NOT NULL, "
        "field VARCHAR(64) NOT NULL, losing_value TEXT NOT NULL, losing_hlc BIGINT NOT NULL, "
        f"losing_device {uuid_text} NOT NULL, winning_value TEXT NOT NULL, "
        f"winning_hlc BIGINT NOT NULL, winning_device {uuid_text} NOT NULL, "
        f"mutation_id {uuid_text} NOT NULL, status VARCHAR(10) NOT NULL DEFAULT 'open', "
        "resolution VARCHAR(10), resolved_by VARCHAR(120), resolved_at TIMESTAMPTZ, "
        "created_at TIMESTAMPTZ NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS sync_conflicts_lost_write ON sync_conflicts "
        "(kind, entity_id, field, losing_hlc, losing_device)",
        "CREATE INDEX IF NOT EXISTS sync_conflicts_status ON sync_conflicts (status, id)",
    )


forwards = ddl_migration(
    ID, DESCRIPTION, lambda dialect: statements(dialect.serial, dialect.uuid_text)
)
