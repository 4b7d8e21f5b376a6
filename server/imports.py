"""CSV import for sites, devices and crews: validate every row first, then apply all or nothing.

A file with any bad row changes nothing unless the caller asks to skip bad rows; either way the
report lists each rejected line with its reason, so an installer can fix the sheet and re-run.
Re-running the same file is harmless: rows update what they imported before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

RowT = TypeVar("RowT", bound=msgspec.Struct)
Progress = Callable[[int], None]


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
    for record in reader:
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
    transaction: Callable[[], Any],
    *,
    skip_invalid: bool,
    progress: Progress | None = None,
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
    async with transaction():
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
