"""Migrations written as plain DDL that runs on both engines (SQLite and PostgreSQL).

Each file in server/migrations names its statements and lets `ddl_migration` build the
`forwards` piccolo calls. Where the engines spell a type differently the statements are a
function of the `Dialect`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import msgspec
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

Statements = Sequence[str] | Callable[["Dialect"], Sequence[str]]
Forwards = Callable[[], Coroutine[Any, Any, MigrationManager]]


class Dialect(msgspec.Struct, frozen=True):
    """The column types whose spelling differs between the engines."""

    sqlite: bool

    @property
    def serial(self) -> str:
        return "INTEGER PRIMARY KEY" if self.sqlite else "SERIAL PRIMARY KEY"

    @property
    def blob(self) -> str:
        return "BLOB" if self.sqlite else "BYTEA"

    @property
    def now(self) -> str:
        """The current time as a value for a TIMESTAMPTZ column (on SQLite, the ISO text that
        piccolo's SQLite engine stores, so a read converts it back)."""
        return "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')" if self.sqlite else "now()"

    @property
    def uuid_text(self) -> str:
        """UUIDs as text that sorts bytewise on both (PostgreSQL's default collation does not)."""
        return "VARCHAR(36)" if self.sqlite else 'VARCHAR(36) COLLATE "C"'


def ddl_migration(migration_id: str, description: str, statements: Statements) -> Forwards:
    """The `forwards` of a migration that runs `statements` in order, in one transaction."""

    async def forwards() -> MigrationManager:
        manager = MigrationManager(
            migration_id=migration_id, app_name="server", description=description
        )

        async def run_statements() -> None:
            engine = engine_finder()
            assert engine is not None
            dialect = Dialect(sqlite=engine.engine_type == "sqlite")
            chosen = statements(dialect) if callable(statements) else statements
            for statement in chosen:
                await engine.run_ddl(statement)

        manager.add_raw(run_statements)
        return manager

    return forwards
