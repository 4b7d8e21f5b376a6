"""Redaction jobs (issue 24): a recording's proposed boxes, the reviewer's edits and the
derivative made from them, as DDL for SQLite and PostgreSQL."""

from server.ddl import ddl_migration

ID = "2026-12-12T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "redaction jobs"

STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS redactions ("
    "id VARCHAR(36) PRIMARY KEY, recording_id VARCHAR(36) NOT NULL, "
    "source_sha256 VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, "
    "progress DOUBLE PRECISION NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '', "
    "requested_by VARCHAR(120) NOT NULL, rendered_by VARCHAR(120), "
    "detect_every_n_frames INTEGER NOT NULL DEFAULT 1, attempts INTEGER NOT NULL DEFAULT 0, "
    "video TEXT, tracks TEXT, derivative_id VARCHAR(36), derivative_sha256 VARCHAR(64), "
    "created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX IF NOT EXISTS redactions_recording ON redactions (recording_id)",
    "CREATE INDEX IF NOT EXISTS redactions_state ON redactions (state, created_at)",
)


forwards = ddl_migration(ID, DESCRIPTION, STATEMENTS)
