"""Recognition (issue 6): cameras, watchlists with their embeddings, plate lists, stored crops.

Plain DDL for SQLite and PostgreSQL. Embeddings are 128 float32 values stored as 512 bytes (BLOB
on SQLite, BYTEA on PostgreSQL); enrolment photos themselves are not kept.
"""

from server.ddl import ddl_migration

ID = "2026-11-25T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "recognition: cameras, watchlists, persons, embeddings, plate lists, crops"


def statements(serial: str, blob: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS cameras ("
        f"id {serial}, name VARCHAR(200) NOT NULL UNIQUE, site_id INTEGER, "
        "kind VARCHAR(10) NOT NULL DEFAULT 'both', url VARCHAR(1000) NOT NULL DEFAULT '', "
        "enabled BOOLEAN NOT NULL DEFAULT TRUE, face_threshold DOUBLE PRECISION, "
        "cooldown_s DOUBLE PRECISION, created_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE IF NOT EXISTS watchlists ("
        f"id {serial}, name VARCHAR(200) NOT NULL UNIQUE, "
        "description VARCHAR(2000) NOT NULL DEFAULT '', threshold DOUBLE PRECISION NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE IF NOT EXISTS watchlist_persons ("
        f"id {serial}, watchlist_id INTEGER NOT NULL REFERENCES watchlists (id) "
        "ON DELETE CASCADE, name VARCHAR(200) NOT NULL, note VARCHAR(2000) NOT NULL DEFAULT '', "
        "created_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS watchlist_persons_list ON watchlist_persons (watchlist_id)",
        "CREATE TABLE IF NOT EXISTS watchlist_photos ("
        f"id {serial}, person_id INTEGER NOT NULL REFERENCES watchlist_persons (id) "
        "ON DELETE CASCADE, watchlist_id INTEGER NOT NULL, "
        f"negative BOOLEAN NOT NULL DEFAULT FALSE, embedding {blob} NOT NULL, "
        "source_sha256 VARCHAR(64) NOT NULL, face_width_px DOUBLE PRECISION NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS watchlist_photos_source ON watchlist_photos "
        "(person_id, negative, source_sha256)",
        "CREATE INDEX IF NOT EXISTS watchlist_photos_list ON watchlist_photos (watchlist_id)",
        "CREATE TABLE IF NOT EXISTS plate_lists ("
        f"id {serial}, name VARCHAR(200) NOT NULL UNIQUE, kind VARCHAR(10) NOT NULL, "
        "site_id INTEGER, created_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE IF NOT EXISTS plate_entries ("
        f"id {serial}, list_id INTEGER NOT NULL REFERENCES plate_lists (id) ON DELETE CASCADE, "
        "plate VARCHAR(32) NOT NULL, folded VARCHAR(32) NOT NULL, "
        "note VARCHAR(400) NOT NULL DEFAULT '', created_at TIMESTAMPTZ NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS plate_entries_folded ON plate_entries (list_id, folded)",
        "CREATE TABLE IF NOT EXISTS recognition_crops ("
        f"id {serial}, alert_id INTEGER, camera_id INTEGER, kind VARCHAR(10) NOT NULL, "
        f"path VARCHAR(400) NOT NULL, embedding {blob}, created_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS recognition_crops_age ON recognition_crops (created_at)",
    )


forwards = ddl_migration(ID, DESCRIPTION, lambda dialect: statements(dialect.serial, dialect.blob))
