"""The database: which engine, schema migrations, and how writes are made safe.

Piccolo finds its engine through a `piccolo_conf` module. Posbon chooses the engine at run time
from the settings, so `activate()` installs the chosen engine both in that module and on every
table, for piccolo's migration runner and so that a query builder compiles to the engine's SQL
dialect. Queries themselves always run through a `Database` that the caller holds: raw SQL with
`fetch`, a piccolo query builder with `run`; no code awaits a piccolo query on its own, which
would run it on whatever engine the table happens to be bound to.

Writes go through `Database.write()`: on SQLite that is `BEGIN IMMEDIATE` behind an in-process
lock (SQLite has one writer; queueing in asyncio beats spinning on the file lock), on PostgreSQL an
ordinary transaction whose row locks serialize the per-stream sequence counters.

Bulk work (CSV imports, change-log compaction) writes many small transactions with
`write(bulk=True)`, so an alarm never waits behind a whole file. In the process, a waiting
ordinary writer goes before the next bulk batch (server/write_queue.py). Across processes (a
`posbon sites import` beside `posbon serve`) SQLite's file lock is all there is: a bulk batch
pauses for SQLITE_BULK_PAUSE_S after its commit, and every writer asks for the file lock
every SQLITE_BEGIN_POLL_S instead of through SQLite's busy handler, whose back-off sleeps up to
100 ms between tries and would miss the pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib
import io
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Final

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.query.base import Query
from piccolo.querystring import QueryString
from piccolo.table import Table

from server.settings import Settings
from server.write_queue import WriteQueue

logger = logging.getLogger(__name__)

PICCOLO_CONF_MODULE: Final = "server.piccolo_conf"
APP_NAME: Final = "server"
"""The piccolo app whose config lists the tables and the migrations folder."""
SQLITE_FILE_NAME: Final = "posbon.sqlite3"
SQLITE_BUSY_TIMEOUT_S: Final = 30.0
SQLITE_BEGIN_POLL_S: Final = 0.001
"""How often a writer asks again for SQLite's file lock that another process holds."""
SQLITE_BULK_PAUSE_S: Final = 0.01
"""How long a bulk batch leaves SQLite's file lock free after its commit: several polls of a
writer in another process, so it gets in (an alarm commit in `posbon serve`)."""

os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF_MODULE)


def sqlite_path(settings: Settings) -> Path:
    return settings.data_path / SQLITE_FILE_NAME


def make_engine(settings: Settings) -> Engine[Any]:
    if settings.uses_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    path = sqlite_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    _enable_wal(path)
    return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)


def _enable_wal(path: Path) -> None:
    # WAL is a property of the file: set once, it holds for every later connection.
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


CommitHook = Callable[[frozenset[str]], None]
_touched: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("touched", default=None)


class Database:
    """The engine plus the write discipline; one per process.

    Code inside `write()` may `touch(stream)`; once the transaction has committed, the commit
    hooks hear which streams changed (the relay rings its doorbell there, never before commit).
    """

    def __init__(self, engine: Engine[Any]) -> None:
        self.engine = engine
        self.is_sqlite = isinstance(engine, SQLiteEngine)
        self.commit_hooks: list[CommitHook] = []
        self._write_queue = WriteQueue()
        self._pool_open = False
        self._writer: Any = None

    @contextlib.asynccontextmanager
    async def write(self, *, bulk: bool = False) -> AsyncIterator[None]:
        """A write transaction; nested calls join the outer one. `bulk`: one batch of bulk
        work, which on SQLite waits behind every ordinary writer and pauses after its commit
        (see the module docstring); keep such a batch small."""
        if self.engine.current_transaction.get() is not None:
            yield
            return
        touched: set[str] = set()
        token = _touched.set(touched)
        try:
            if isinstance(self.engine, SQLiteEngine):
                await self._write_queue.acquire(bulk=bulk)
                try:
                    async with _KeptWriterTransaction(self.engine, self):
                        yield
                finally:
                    self._write_queue.release()
            else:
                async with self.engine.transaction():
                    yield
        finally:
            _touched.reset(token)
        if touched:
            for hook in self.commit_hooks:
                hook(frozenset(touched))
        if bulk and self.is_sqlite:
            await asyncio.sleep(SQLITE_BULK_PAUSE_S)

    def urgent_writer_waiting(self) -> bool:
        """Whether an ordinary writer in this process waits for SQLite's writer: bulk work
        ends its batch early when it does. Always False on PostgreSQL (no single writer)."""
        return self._write_queue.urgent_waiting()

    @staticmethod
    def touch(stream: str) -> None:
        touched = _touched.get()
        if touched is None:
            raise RuntimeError("stream events must be written inside Database.write()")
        touched.add(stream)

    @property
    def for_update(self) -> str:
        """Row-lock suffix for a SELECT (SQLite's BEGIN IMMEDIATE already excludes writers)."""
        return "" if self.is_sqlite else " FOR UPDATE"

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Run SQL with `{}` placeholders; inside `write()` it joins the transaction."""
        rows: list[dict[str, Any]] = await self.engine.run_querystring(QueryString(sql, *args))
        return rows

    async def run(self, query: Query[Any, Any]) -> list[dict[str, Any]]:
        """Run a piccolo query builder's statement (select, insert, update, delete) on this
        database's engine, its rows as `fetch` returns them; inside `write()` it joins the
        transaction. Only the statement is piccolo's: none of its result shaping (`first()`,
        `exists()`, JSON loading) runs, so build plain statements and shape the rows here."""
        if query.engine_type != self.engine.engine_type:
            raise RuntimeError(
                f"{query.table.__name__} compiles for {query.engine_type}, not for this "
                f"{self.engine.engine_type} database: activate() binds the tables"
            )
        rows: list[dict[str, Any]] = []
        for statement in query.querystrings:
            found = await self.engine.run_querystring(statement)
            rows.extend(self.engine.transform_response_to_dicts(found))
        return rows

    async def fetch_one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one `{}`-placeholder statement for many rows with the driver's executemany,
        inside `write()`: hundreds of rows cost one call, not hundreds of query compilations."""
        connection = self._write_connection()
        if rows:
            await connection.executemany(self._driver_sql(sql), rows)

    async def fetch_direct(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """`fetch` inside `write()` straight on the transaction's connection: one driver call,
        without piccolo's per-query compile and PRAGMA (for hot paths such as signal commits)."""
        connection = self._write_connection()
        if self.is_sqlite:
            rows = await connection.execute_fetchall(self._driver_sql(sql), args)
            return list(rows)
        return [dict(row) for row in await connection.fetch(self._driver_sql(sql), *args)]

    def _write_connection(self) -> Any:
        transaction = self.engine.current_transaction.get()
        if transaction is None:
            raise RuntimeError("direct queries must run inside Database.write()")
        return transaction.connection

    def _driver_sql(self, sql: str) -> str:
        """`{}` placeholders in the driver's style: `?` (sqlite3) or `$1, $2…` (asyncpg)."""
        if self.is_sqlite:
            return sql.replace("{}", "?")
        parts = sql.split("{}")
        return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))

    async def start(self) -> None:
        if isinstance(self.engine, PostgresEngine) and not self._pool_open:
            await self.engine.start_connection_pool(min_size=2, max_size=20)
            self._pool_open = True

    async def close(self) -> None:
        """Release connections; closing twice is harmless."""
        await self.discard_writer()
        if isinstance(self.engine, PostgresEngine) and self._pool_open:
            await self.engine.close_connection_pool()
            self._pool_open = False

    async def writer_connection(self) -> Any:
        """SQLite's one write connection, opened on first use and kept (see _KeptWriter)."""
        if self._writer is None:
            assert isinstance(self.engine, SQLiteEngine)
            self._writer = await self.engine.get_connection()
        return self._writer

    async def discard_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):
                await writer.close()


def is_busy(err: sqlite3.Error) -> bool:
    """Whether SQLite said "another connection holds the lock; try again". The error carries
    the extended code (SQLITE_BUSY_RECOVERY while another connection recovers the WAL,
    SQLITE_BUSY_SNAPSHOT …): its low byte is the primary code, SQLITE_BUSY for all of them."""
    return getattr(err, "sqlite_errorcode", None) is not None and (
        err.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
    )


class _KeptWriterTransaction(SQLiteTransaction):
    """`BEGIN IMMEDIATE` on the process's one SQLite write connection, kept open between
    transactions. Piccolo opens a connection (and its thread) per transaction and closes it
    after, which costs more than a small commit itself; the write lock already makes writes
    one at a time, so one connection serves them all. A connection whose COMMIT or ROLLBACK
    did not finish is in an unknown state: it is closed and the next write opens a new one."""

    def __init__(self, engine: SQLiteEngine, database: Database) -> None:
        super().__init__(engine, transaction_type=TransactionType.immediate, allow_nested=False)
        self._database = database

    async def get_connection(self) -> Any:
        return await self._database.writer_connection()

    async def begin(self) -> None:
        """`BEGIN IMMEDIATE`, asked for every SQLITE_BEGIN_POLL_S while another process holds
        the file lock, up to SQLITE_BUSY_TIMEOUT_S. SQLite's busy handler is off meanwhile
        (its back-off would sleep through a bulk writer's pause) and back on for the
        transaction's own statements."""
        connection = self.connection
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
        await connection.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    await connection.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as err:
                    if not is_busy(err) or time.monotonic() > deadline:
                        raise
                else:
                    return
                await asyncio.sleep(SQLITE_BEGIN_POLL_S)
        finally:
            await connection.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        try:
            await self.connection.execute("COMMIT" if exc is None else "ROLLBACK")
        except BaseException:
            await self._database.discard_writer()
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
        return exc is None


def registered_tables() -> list[type[Table]]:
    """Every table of the app, as its piccolo app config lists them (server/piccolo_app.py):
    this module knows no domain, so it reads the list from piccolo's registry."""
    conf = importlib.import_module(os.environ["PICCOLO_CONF"])
    registry: AppRegistry = conf.APP_REGISTRY
    return registry.get_table_classes(APP_NAME)


def activate(engine: Engine[Any], tables: Sequence[type[Table]] | None = None) -> Database:
    """Make `engine` the one piccolo's migration runner uses and every table (by default every
    registered one) compiles its queries for; returns the `Database` that runs them."""
    conf = importlib.import_module(os.environ["PICCOLO_CONF"])
    conf.DB = engine  # type: ignore[attr-defined]
    bound: list[type[Table]] = [*(registered_tables() if tables is None else tables), Migration]
    for table in bound:
        table._meta.db = engine  # noqa: SLF001  (piccolo's documented way to rebind a table)
    return Database(engine)


async def migrate() -> None:
    """Apply every migration that has not run yet; piccolo's chatter goes to the debug log."""
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        result = await run_forwards(app_name="all")
    logger.debug("migrations: %s", chatter.getvalue().strip())
    if not result.success:
        raise RuntimeError(f"database migration failed: {result.message}")


async def open_database(settings: Settings) -> Database:
    database = activate(make_engine(settings))
    await database.start()
    await migrate()
    return database
