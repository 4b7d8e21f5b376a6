from __future__ import annotations

import datetime as dt

import msgspec


class Stats(msgspec.Struct, frozen=True, kw_only=True):
    """The figures a city publishes, for incidents opened in [since, until)."""

    since: dt.datetime
    until: dt.datetime
    alerts_by_kind: dict[str, int]
    incidents_by_status: dict[str, int]
    outcomes: dict[str, int]
    persons_detained: int
    median_minutes_to_on_scene: float | None
