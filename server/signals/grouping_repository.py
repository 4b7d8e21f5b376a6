"""The reads activation grouping (server/signals/grouping.py) needs: which open incident of a
site an alarm joins, and what that incident holds. Reads only; the writes go through the alerts
and incidents repositories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import msgspec

from server.db import Database
from server.signals.repository import OPEN_STATUSES


class SiteIncident(msgspec.Struct, frozen=True, kw_only=True):
    """An open incident of a site that a new alarm may join."""

    incident_id: int
    priority: int
    alerts: int
    newest_alert_id: int


def _marks(count: int) -> str:
    return ", ".join(["{}"] * count)


async def active_site_incident(
    db: Database, site_id: int, kinds: Collection[str], since: dt.datetime
) -> SiteIncident | None:
    """The newest open incident of the site, of one of ``kinds``, raised by a device, whose last
    alarm (an alert, or a signal stored against one of its alerts: a button pressed again) came
    at or after ``since``. The site's open incidents are few, so the probes per candidate are
    cheap: alerts by incident_id and signals by alert_id are both indexed."""
    rows = await db.fetch(
        "SELECT i.id, i.priority FROM incidents i "  # noqa: S608
        f"WHERE i.site_id = {{}} AND i.status IN ({_marks(len(OPEN_STATUSES))}) "
        f"AND i.kind IN ({_marks(len(kinds))}) "
        "AND EXISTS (SELECT 1 FROM alerts d WHERE d.incident_id = i.id "
        "AND d.device_id IS NOT NULL) "
        "AND (EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id AND a.received_at >= {}) "
        "OR EXISTS (SELECT 1 FROM signals s JOIN alerts b ON b.id = s.alert_id "
        "WHERE b.incident_id = i.id AND s.received_at >= {})) "
        "ORDER BY i.id DESC LIMIT 1",
        site_id,
        *OPEN_STATUSES,
        *kinds,
        since,
        since,
    )
    if not rows:
        return None
    incident_id = int(rows[0]["id"])
    counted = await db.fetch(
        "SELECT COUNT(*) AS n, MAX(id) AS newest FROM alerts WHERE incident_id = {}", incident_id
    )
    return SiteIncident(
        incident_id=incident_id,
        priority=int(rows[0]["priority"]),
        alerts=int(counted[0]["n"]),
        newest_alert_id=int(counted[0]["newest"]),
    )
