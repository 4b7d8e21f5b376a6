"""What a "wrong" verdict on a plate alert teaches: the readings reviewers said are not a list
entry's car (a possible match marked wrong), both sides folded, which the plate index loads so
that reading no longer matches that entry; and, on every verdict, what it taught
(negative_example, not_this_plate or nothing). Verdicts stored before this knew only face
negatives, so those with a negative example taught one."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-15T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "plate readings that are not a list entry, and what each review taught"


def statements(dialect: Dialect) -> Sequence[str]:
    return (
        "CREATE TABLE IF NOT EXISTS plate_not_matches ("
        f"id {dialect.serial}, list_id INTEGER NOT NULL, listed_plate VARCHAR(32) NOT NULL, "
        "read_text VARCHAR(32) NOT NULL, alert_id INTEGER NOT NULL, "
        "reviewer VARCHAR(120) NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
        "CREATE INDEX IF NOT EXISTS plate_not_matches_list ON plate_not_matches (list_id)",
        "CREATE INDEX IF NOT EXISTS plate_not_matches_alert ON plate_not_matches (alert_id)",
        "ALTER TABLE recognition_reviews ADD COLUMN taught VARCHAR(20) NOT NULL DEFAULT 'nothing'",
        "UPDATE recognition_reviews SET taught = 'negative_example' "
        "WHERE negative_photo_id IS NOT NULL",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
