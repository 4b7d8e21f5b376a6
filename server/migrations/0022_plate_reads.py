"""The plate read log (issue 25): every plate a camera frame showed, listed or not, kept for the
retention period (`plate_read_retention_days`), and the audit of every search of that log.

`search_key` is the read folded for searching (O/Q→0, I→1, B→8, S→5, Z→2, no spaces); a search
asks for the keys within one edit of its own, so the index on it serves fuzzy searches too.
SQLite ids are AUTOINCREMENT, so an audit row's id is never handed out twice.
"""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-14T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "plate read log and its search audit"


def statements(dialect: Dialect) -> Sequence[str]:
    serial = f"{dialect.serial} AUTOINCREMENT" if dialect.sqlite else dialect.serial
    return (
        "CREATE TABLE IF NOT EXISTS plate_reads ("
        f"id {serial}, camera_id INTEGER NOT NULL, site_id INTEGER, "
        "plate VARCHAR(32) NOT NULL, display VARCHAR(48) NOT NULL, "
        "search_key VARCHAR(32) NOT NULL, confidence DOUBLE PRECISION NOT NULL, "
        "crop_id INTEGER, read_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS plate_reads_key ON plate_reads (search_key, read_at)",
        "CREATE INDEX IF NOT EXISTS plate_reads_age ON plate_reads (read_at)",
        "CREATE TABLE IF NOT EXISTS plate_read_searches ("
        f"id {serial}, token_id INTEGER NOT NULL, token_name VARCHAR(200) NOT NULL, "
        "role VARCHAR(20) NOT NULL, searched_at TIMESTAMPTZ NOT NULL, "
        "plate VARCHAR(64) NOT NULL, search_key VARCHAR(32) NOT NULL, "
        "since TIMESTAMPTZ, until TIMESTAMPTZ, camera_id INTEGER, "
        "result_limit INTEGER NOT NULL, results INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS plate_read_searches_time ON plate_read_searches (searched_at)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
