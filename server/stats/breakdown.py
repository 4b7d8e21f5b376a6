"""Queries behind the per-district figures and the response intervals (both engines).

The outcome figures read only `incidents.outcome`, the one outcome a close records (a false
alarm's included); never the status, nor the outcome a crew's report proposes."""

from __future__ import annotations

import datetime as dt

from server.auth.schemas import EVERYWHERE, Scope
from server.auth.scope import alert_reach, incident_reach, where
from server.db import Database
from server.stats.figures import MILESTONES
from server.stats.schemas import GroupRow

_SIGNALS = (
    "SELECT COALESCE(s.district, '') AS district, a.kind AS kind, COUNT(*) AS n "
    "FROM alerts a LEFT JOIN sites s ON s.id = a.site_id "
    "WHERE a.received_at >= {} AND a.received_at < {}"
)
_SIGNALS_GROUPS = " GROUP BY COALESCE(s.district, ''), a.kind"
_INCIDENTS = (
    "SELECT COALESCE(s.district, '') AS district, i.kind AS kind, COUNT(*) AS n, "
    "SUM(CASE WHEN i.outcome = 'crime_prevented' THEN 1 ELSE 0 END) AS prevented, "
    "COALESCE(SUM(i.persons_detained), 0) AS detained, "
    "SUM(CASE WHEN i.outcome = 'crime_solved' THEN 1 ELSE 0 END) AS solved, "
    "SUM(CASE WHEN i.outcome = 'false_alarm' THEN 1 ELSE 0 END) AS false_alarms "
    "FROM incidents i LEFT JOIN sites s ON s.id = i.site_id "
    "WHERE i.created_at >= {} AND i.created_at < {}"
)
_INCIDENTS_GROUPS = " GROUP BY COALESCE(s.district, ''), i.kind"
_MILESTONES = (
    "SELECT i.id AS id, i.created_at AS received, t.to_status AS status, t.at AS at "
    "FROM incidents i LEFT JOIN timeline t ON t.incident_id = i.id "
    "AND t.to_status IN ('dispatched', 'acknowledged', 'on_scene') "
    "WHERE i.created_at >= {} AND i.created_at < {}"
)


async def groups(
    db: Database, since: dt.datetime, until: dt.datetime, scope: Scope = EVERYWHERE
) -> list[GroupRow]:
    """Signals and incidents per district and kind, of the districts within `scope`."""
    rows: dict[tuple[str, str], GroupRow] = {}
    signals_sql, signals_args = where(alert_reach(scope, "a"), _SIGNALS, (since, until), more=True)
    incidents_sql, incidents_args = where(
        incident_reach(scope, "i"), _INCIDENTS, (since, until), more=True
    )
    for row in await db.fetch(signals_sql + _SIGNALS_GROUPS, *signals_args):
        key = (str(row["district"]), str(row["kind"]))
        rows[key] = GroupRow(district=key[0], kind=key[1], signals=int(row["n"]))
    for row in await db.fetch(incidents_sql + _INCIDENTS_GROUPS, *incidents_args):
        key = (str(row["district"]), str(row["kind"]))
        signals = rows[key].signals if key in rows else 0
        rows[key] = GroupRow(
            district=key[0],
            kind=key[1],
            signals=signals,
            incidents=int(row["n"]),
            prevented=int(row["prevented"]),
            detained=int(row["detained"]),
            solved=int(row["solved"]),
            false_alarms=int(row["false_alarms"]),
        )
    return [rows[key] for key in sorted(rows)]


async def milestones(
    db: Database, since: dt.datetime, until: dt.datetime, scope: Scope = EVERYWHERE
) -> list[dict[str, dt.datetime | None]]:
    """Per incident within `scope`, the first time it reached each milestone (None when it
    never did)."""
    found: dict[int, dict[str, dt.datetime | None]] = {}
    sql, args = where(incident_reach(scope, "i"), _MILESTONES, (since, until), more=True)
    for row in await db.fetch(sql, *args):
        times = found.setdefault(
            int(row["id"]), dict.fromkeys(MILESTONES) | {"received": row["received"]}
        )
        status, at = row["status"], row["at"]
        if status is not None and at is not None:
            earlier = times.get(status)
            times[status] = at if earlier is None else min(earlier, at)
    return list(found.values())
