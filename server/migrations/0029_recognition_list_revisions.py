"""A revision on every watchlist and plate list (H6), bumped in the same transaction as each
change of the list or of anything under it (persons, photos, entries, not-matches): every node
compares it with the revision it loaded and reloads a list whose doorbell it never heard (a
lost ring, a `posbon watchlist import` or `posbon plates import` run in its own process)."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-15T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "revisions of watchlists and plate lists"


def statements(dialect: Dialect) -> Sequence[str]:
    return (
        "ALTER TABLE watchlists ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE plate_lists ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
