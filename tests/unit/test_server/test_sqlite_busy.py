"""A writer waits for SQLite's lock whatever flavour of "busy" SQLite reports: the extended
codes (another connection recovering the WAL, a stale snapshot) are busy too. Once, an
SQLITE_BUSY_RECOVERY at `BEGIN IMMEDIATE` failed a server part instead of waiting."""

import sqlite3
from pathlib import Path

import pytest

from server.db import is_busy


def _error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    "code", [sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY, sqlite3.SQLITE_BUSY_SNAPSHOT]
)
def test_every_busy_code_is_busy(code: int) -> None:
    assert is_busy(_error(code))


@pytest.mark.parametrize("code", [sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL])
def test_other_errors_are_not(code: int) -> None:
    assert not is_busy(_error(code))


def test_an_error_without_a_code_is_not_busy() -> None:
    assert not is_busy(sqlite3.OperationalError("no such table: nothing"))


def test_a_real_busy_lock_reads_as_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as raised:
            other.execute("BEGIN IMMEDIATE")
        assert is_busy(raised.value)
    finally:
        holder.close()
        other.close()
