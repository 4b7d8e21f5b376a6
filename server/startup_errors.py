"""A database that cannot be opened, said in one line that names the setting to change.

Every command that uses the database opens it through `server.db.open_database`; an error raised
in there (PostgreSQL refusing the connection or the login, a host name that does not resolve, a
database that does not exist, a data directory SQLite cannot write) is the settings' fault, not
a bug, so `database_failure` turns it into a SettingsError naming `--database-url /
POSBON_DATABASE_URL` or `--data-dir / POSBON_DATA_DIR`, with any password hidden.
"""

from __future__ import annotations

import socket
import sqlite3
import traceback
from typing import Final

import asyncpg

from server.db import open_database
from server.settings import Settings, SettingsError, flag_and_variable, redact

SQLITE_ERRORS: Final = (OSError, sqlite3.Error)
POSTGRES_ERRORS: Final = (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError)
"""A ValueError here is a database URL that asyncpg cannot parse (a port that is no number)."""

# Most specific first: ConnectionRefusedError and socket.gaierror are OSErrors too.
_POSTGRES_ADVICE: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (
        ConnectionRefusedError,
        "nothing answers there; start PostgreSQL or correct the host and port",
    ),
    (socket.gaierror, "the host name does not resolve; correct it"),
    (TimeoutError, "no answer in time; check the host, the port and any firewall between"),
    (asyncpg.InvalidPasswordError, "the login was refused; correct the user or the password"),
    (
        asyncpg.InvalidAuthorizationSpecificationError,
        "the login was refused; correct the user or the password",
    ),
    (asyncpg.InvalidCatalogNameError, "create that database (createdb NAME) or correct the name"),
)


def _raised_while_opening(err: BaseException) -> bool:
    frames = traceback.walk_tb(err.__traceback__)
    return any(frame.f_code is open_database.__code__ for frame, _ in frames)


def database_failure(err: BaseException, settings: Settings) -> SettingsError | None:
    """The one-line error for ``err`` if it was raised opening the database, else None."""
    expected = POSTGRES_ERRORS if settings.uses_postgres else SQLITE_ERRORS
    if not isinstance(err, expected) or not _raised_while_opening(err):
        return None
    reason = redact(str(err) or type(err).__name__)
    if not settings.uses_postgres:
        return SettingsError(
            f"{flag_and_variable('data_dir')}: cannot keep the SQLite database in "
            f"{settings.data_dir!r} ({reason}); choose a directory this user may write"
        )
    advice = next(
        (text for kind, text in _POSTGRES_ADVICE if isinstance(err, kind)),
        "correct the URL or the server it names",
    )
    return SettingsError(
        f"{flag_and_variable('database_url')}: cannot open PostgreSQL at "
        f"{redact(settings.database_url)!r} ({reason}); {advice}"
    )
