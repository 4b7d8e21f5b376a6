"""CSV import for sites, devices and crews: validate every row first, then apply in batches.

A file with any bad row changes nothing unless the caller asks to skip bad rows; either way the
report lists each rejected line with its reason, so an installer can fix the sheet and re-run.
A file that is not UTF-8, or a cell larger than the csv module reads, is a rejected line too.
Re-running the same file is harmless: rows update what they imported before.

The valid rows are written BATCH_ROWS to a transaction (`Database.write(bulk=True)`), not all in
one: on SQLite a transaction holds the only writer, and in one transaction an alarm commit
waited for a whole 30,000-row file (40 s). A batch also ends early when an alarm (any ordinary
write) is waiting in this process. So a crash or an outage part-way leaves the batches before it
imported, and re-running the file completes the import. `batch_rows=0` keeps the whole file in
one transaction, for whoever prefers that to alarms arriving in time (and to measure the old
way).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, Generic, TypeVar

import msgspec

from server.db import Database

RowT = TypeVar("RowT", bound=msgspec.Struct)
Progress = Callable[[int], None]

BATCH_ROWS: Final = 100
"""Rows per transaction. An alarm commit in another process (`posbon serve` beside `posbon sites
import`) waits for the batch being written, about 0.1 s of sites on SQLite. The import takes a
sixth to a quarter longer than in one transaction, mostly because the alarms are committed
during it instead of after it (bench/import_vs_alarms.py)."""


class RowError(msgspec.Struct, frozen=True):
    line: int
    reason: str


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    detail: str
    applied: bool
    imported: int
    rejected: list[RowError]


class ParsedRows(msgspec.Struct, Generic[RowT], frozen=True):
    rows: list[RowT]
    rejected: list[RowError]


class BadEncodingError(Exception):
    """The file is not UTF-8: `line` (from 1) and `byte` (from 1, within that line)."""

    def __init__(self, line: int, byte: int, offset: int) -> None:
        super().__init__(
            f"byte {byte} of the line (offset {offset} in the file) is not UTF-8; "
            "save the file as UTF-8 (CSV UTF-8) and import it again"
        )
        self.line = line
        self.byte = byte

    def report(self) -> ImportReport:
        return ImportReport(
            code="bad_encoding",
            applied=False,
            imported=0,
            rejected=[RowError(self.line, str(self))],
            detail=f"Line {self.line} is not UTF-8 text, so nothing was imported.",
        )


def decode_csv(data: bytes) -> str:
    """The file's text (a byte-order mark dropped); raises BadEncodingError naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        raise BadEncodingError(
            line=data.count(b"\n", 0, err.start) + 1,
            byte=err.start - line_start + 1,
            offset=err.start,
        ) from err


async def parse_csv_aside(
    text: str,
    row_type: type[RowT],
    required: Sequence[str],
    check: Callable[[RowT], str | None] | None = None,
) -> ParsedRows[RowT]:
    """`parse_csv` in a worker thread: checking 30,000 rows takes about 0.2 s, which the
    server's event loop (and the alarms it reads) should not wait for."""
    return await asyncio.to_thread(parse_csv, text, row_type, required, check)


def parse_csv(
    text: str,
    row_type: type[RowT],
    required: Sequence[str],
    check: Callable[[RowT], str | None] | None = None,
) -> ParsedRows[RowT]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in required if name not in header]
    if missing:
        return ParsedRows([], [RowError(1, f"the header lacks: {', '.join(missing)}")])
    rows: list[RowT] = []
    rejected: list[RowError] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:  # a cell over the csv module's size limit, a stray NUL
            # The reader counts a line once it has parsed it, so the bad one is the next.
            rejected.append(RowError(reader.line_num + 1, f"the line cannot be read: {err}"))
            continue
        line = reader.line_num
        values: dict[str, Any] = {
            key.strip(): value.strip()
            for key, value in record.items()
            if key is not None and value is not None and value.strip() != ""
        }
        if None in record:
            rejected.append(RowError(line, "the row has more cells than the header"))
            continue
        try:
            row = msgspec.convert(values, row_type, strict=False)
        except msgspec.ValidationError as err:
            rejected.append(RowError(line, str(err)))
            continue
        problem = None if check is None else check(row)
        if problem is None:
            rows.append(row)
        else:
            rejected.append(RowError(line, problem))
    return ParsedRows(rows, rejected)


async def apply(
    parsed: ParsedRows[RowT],
    store_one: Callable[[RowT], Awaitable[None]],
    db: Database,
    *,
    skip_invalid: bool,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    if parsed.rejected and not skip_invalid:
        return ImportReport(
            code="rows_rejected",
            applied=False,
            imported=0,
            rejected=parsed.rejected,
            detail=f"{len(parsed.rejected)} rows are invalid, so nothing was imported; fix them "
            "or pass skip_invalid to import the valid rows.",
        )
    if batch_rows > 0:
        await _store_in_batches(parsed.rows, store_one, db, batch_rows, progress)
    else:
        async with db.write():
            for row in parsed.rows:
                await store_one(row)
                if progress is not None:
                    progress(1)
    skipped = f"; {len(parsed.rejected)} invalid rows skipped" if parsed.rejected else ""
    return ImportReport(
        code="imported",
        applied=True,
        imported=len(parsed.rows),
        rejected=parsed.rejected,
        detail=f"{len(parsed.rows)} rows imported{skipped}.",
    )


async def _store_in_batches(
    rows: Sequence[RowT],
    store_one: Callable[[RowT], Awaitable[None]],
    db: Database,
    batch_rows: int,
    progress: Progress | None,
) -> None:
    """Up to `batch_rows` rows per bulk transaction, fewer when an alarm waits meanwhile."""
    done = 0
    while done < len(rows):
        async with db.write(bulk=True):
            end = min(done + batch_rows, len(rows))
            for index in range(done, end):
                await store_one(rows[index])
                if progress is not None:
                    progress(1)
                if db.urgent_writer_waiting():
                    end = index + 1
                    break
        done = end
