from __future__ import annotations

import datetime as dt

import msgspec


class Interval(msgspec.Struct, frozen=True, kw_only=True):
    """One response interval, e.g. received → dispatched, against its configured target."""

    name: str
    start: str
    end: str
    count: int
    p50_s: float | None
    p90_s: float | None
    target_s: float
    p90_within_target: bool | None


class GroupRow(msgspec.Struct, frozen=True, kw_only=True):
    """Signals and incidents of one kind in one district (sites.district; "" when unknown)."""

    district: str
    kind: str
    signals: int = 0
    incidents: int = 0
    prevented: int = 0
    detained: int = 0
    solved: int = 0
    false_alarms: int = 0


class Stats(msgspec.Struct, frozen=True, kw_only=True):
    """The figures a city publishes, for incidents opened in [since, until)."""

    since: dt.datetime
    until: dt.datetime
    alerts_by_kind: dict[str, int]
    incidents_by_status: dict[str, int]
    outcomes: dict[str, int]
    persons_detained: int
    median_minutes_to_on_scene: float | None
    groups: list[GroupRow] = msgspec.field(default_factory=list)
    intervals: list[Interval] = msgspec.field(default_factory=list)
