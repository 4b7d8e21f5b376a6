"""The TOTP step a user's last accepted code belonged to (issue 23): a code is refused when its
step is not after it, so a code seen over a shoulder or replayed from a log cannot be used again
within its validity window, on this node or any other."""

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-15T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the step of each user's last accepted TOTP code"


def statements(dialect: Dialect) -> Sequence[str]:
    return ("ALTER TABLE users ADD COLUMN totp_last_step BIGINT",)


forwards = ddl_migration(ID, DESCRIPTION, statements)
