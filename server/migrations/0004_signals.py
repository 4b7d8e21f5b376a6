"""The DC-09 signals table (issue 3), as plain DDL that runs on SQLite and PostgreSQL.

Device-supplied strings are TEXT, not VARCHAR(n): a frame must never fail to store (and so never
be ACKed) because a panel sent a longer zone or code than we expected.
"""

from server.ddl import ddl_migration

ID = "2026-11-25T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "device signals: raw frame, normalized fields, dedup key, alert link"


def statements(serial: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE IF NOT EXISTS signals ("
        f"id {serial}, device_id INTEGER, account TEXT NOT NULL, receiver TEXT, line TEXT, "
        "token TEXT NOT NULL, seq TEXT NOT NULL, data_sha256 TEXT NOT NULL, "
        "dedup_hash TEXT NOT NULL, event_index INTEGER NOT NULL DEFAULT 0, "
        "encrypted BOOLEAN NOT NULL, code_family TEXT NOT NULL, code TEXT NOT NULL, "
        "qualifier TEXT NOT NULL, kind TEXT NOT NULL, priority INTEGER NOT NULL, "
        "description TEXT NOT NULL, zone TEXT, user_number TEXT, area TEXT, text TEXT, "
        "panel_time TIMESTAMPTZ, xdata TEXT NOT NULL, raw TEXT NOT NULL, content TEXT NOT NULL, "
        "transport TEXT NOT NULL, peer TEXT NOT NULL, registered BOOLEAN NOT NULL, "
        "alert_id INTEGER, received_at TIMESTAMPTZ NOT NULL)",
        # Dedup probes by (account, seq): new rows land at a few hundred hot spots (one per
        # account) instead of at random places in an index of hashes, which slows every commit
        # as the table outgrows the page cache.
        "CREATE INDEX IF NOT EXISTS signals_dedup ON signals (account, seq, received_at)",
        "CREATE INDEX IF NOT EXISTS signals_account ON signals (account, id)",
        "CREATE INDEX IF NOT EXISTS signals_device ON signals (device_id, id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, lambda dialect: statements(dialect.serial))
