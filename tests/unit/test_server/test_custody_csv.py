"""The custody log as CSV never hands a spreadsheet a formula, whoever wrote the text."""

from __future__ import annotations

import csv
import datetime as dt
import io

from server.custody.schemas import CustodyEntry, CustodyKind
from server.custody.service import as_csv


def _entry(actor: str, reason: str, data: dict[str, object]) -> CustodyEntry:
    return CustodyEntry(
        id=1,
        recording_id="0190c1a2-0000-7000-8000-000000000001",
        at=dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC),
        actor=actor,
        kind=CustodyKind.METADATA_CHANGED,
        reason=reason,
        data=data,
        prev_hash="0" * 64,
        hash="1" * 64,
    )


def test_cells_that_a_spreadsheet_would_run_are_kept_as_text() -> None:
    entries = [
        _entry('=HYPERLINK("http://x")', "+1+1", {}),
        _entry("@SUM(A1)", "-2", {}),
        _entry("\tx", "\rcmd", {}),
        _entry("admin:ops", "title changed", {"title": "=cmd|' /C calc'!A0"}),
    ]
    rows = list(csv.reader(io.StringIO(as_csv(entries))))[1:]
    assert [(row[2], row[4]) for row in rows] == [
        ('\'=HYPERLINK("http://x")', "'+1+1"),
        ("'@SUM(A1)", "'-2"),
        ("'\tx", "'\rcmd"),
        ("admin:ops", "title changed"),
    ]
    assert rows[3][5] == '{"title":"=cmd|\' /C calc\'!A0"}'
