"""The statistics as CSV: one section per table, so a spreadsheet opens it as is."""

from __future__ import annotations

import csv
import io

from server.stats.schemas import Stats
from server.text import spreadsheet_text

GROUP_HEADER = (
    "district",
    "kind",
    "signals",
    "incidents",
    "prevented",
    "detained",
    "solved",
    "false_alarms",
)
INTERVAL_HEADER = ("interval", "from", "to", "count", "p50_s", "p90_s", "target_s", "within_target")


def _blank(value: object) -> object:
    return "" if value is None else value


def _text(value: str) -> str:
    """District and kind names are typed by people: never let a spreadsheet run them."""
    return spreadsheet_text(value)


def to_csv(stats: Stats) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("since", stats.since.isoformat(), "until", stats.until.isoformat()))
    writer.writerow(GROUP_HEADER)
    for g in stats.groups:
        writer.writerow(
            (
                _text(g.district),
                _text(g.kind),
                g.signals,
                g.incidents,
                g.prevented,
                g.detained,
                g.solved,
                g.false_alarms,
            )
        )
    writer.writerow(INTERVAL_HEADER)
    for i in stats.intervals:
        writer.writerow(
            (
                i.name,
                i.start,
                i.end,
                i.count,
                _blank(i.p50_s),
                _blank(i.p90_s),
                i.target_s,
                _blank(i.p90_within_target),
            )
        )
    return out.getvalue()
