"""Key-holders and contact lists (issue 22): each site's ordered contacts and the calls made
to them about an incident, as DDL for SQLite and PostgreSQL.

Contact ids get AUTOINCREMENT on SQLite (see 0010_ids_never_reused.py): a call names its
contact by id, and a deleted contact's id must never come back as someone else's.
"""

from server.ddl import Dialect, ddl_migration

ID = "2026-12-13T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "contacts and call attempts"


def statements(dialect: Dialect) -> tuple[str, ...]:
    serial = f"{dialect.serial} AUTOINCREMENT" if dialect.sqlite else dialect.serial
    return (
        "CREATE TABLE IF NOT EXISTS contacts ("
        f"id {serial}, site_id INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE, "
        "name VARCHAR(200) NOT NULL, role VARCHAR(40) NOT NULL DEFAULT 'keyholder', "
        "phones TEXT NOT NULL DEFAULT '[]', languages TEXT NOT NULL DEFAULT '[]', "
        "hours TEXT NOT NULL DEFAULT '[]', position INTEGER NOT NULL DEFAULT 0, "
        "has_password BOOLEAN NOT NULL DEFAULT FALSE, telegram_chat_id VARCHAR(64), "
        "note VARCHAR(400) NOT NULL DEFAULT '', "
        "created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS contacts_site ON contacts (site_id, position)",
        "CREATE TABLE IF NOT EXISTS contact_calls ("
        f"id {serial}, incident_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, "
        "contact_name VARCHAR(200) NOT NULL, phone VARCHAR(32) NOT NULL, "
        "result VARCHAR(20) NOT NULL, note VARCHAR(400) NOT NULL DEFAULT '', "
        "actor VARCHAR(120) NOT NULL, at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS contact_calls_incident ON contact_calls (incident_id, id)",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
