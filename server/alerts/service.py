"""Raising an alert: the alert, its incident, the timeline and the outbox in one transaction."""

from __future__ import annotations

import datetime as dt

from server.alerts import repository
from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, Alert, AlertIn
from server.auth.schemas import Principal
from server.db import Database
from server.errors import NotFound, Unprocessable
from server.incidents import repository as incident_repository
from server.incidents import service as incidents
from server.incidents.repository import NewIncident
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.sites.repository import sites
from server.sites.schemas import SiteRef


async def _site_for(body: AlertIn) -> SiteRef:
    if body.site_id is not None:
        site = await sites.find(body.site_id)
        if site is None:
            raise Unprocessable(f"There is no site with id {body.site_id}.", code="unknown_site")
        return SiteRef(
            id=site.id,
            name=site.name,
            address=body.address or site.address,
            lat=site.lat if body.lat is None else body.lat,
            lon=site.lon if body.lon is None else body.lon,
        )
    if (body.lat is None) != (body.lon is None):
        raise Unprocessable("Give both lat and lon, or neither.", code="half_position")
    return SiteRef(address=body.address, lat=body.lat, lon=body.lon)


async def raise_alert(
    db: Database, new: NewAlert, actor: str, *, open_incident: bool = True
) -> tuple[Alert, bool]:
    """Store an alert and open its incident. Returns (alert, created); a repeated
    `external_id` returns the stored alert and creates nothing. A notice (a device back
    online) passes `open_incident=False`: dispatchers see it, nobody is sent."""
    async with db.write():
        if new.external_id is not None:
            existing = await repository.find_external(db, new.external_id)
            if existing is not None:
                return existing, False
        alert_id = await repository.insert(db, new)
        if not open_incident:
            alert = await repository.find(db, alert_id)
            assert alert is not None
            await outbox.append(db, DISPATCH_STREAM, "alert", alert)
            return alert, True
        title = f"{new.kind.value} at {new.site.name or new.site.address or 'unknown place'}"
        incident_id = await incident_repository.insert(
            db,
            NewIncident(
                kind=new.kind.value,
                priority=new.priority,
                title=title,
                site=new.site,
                at=new.received_at,
            ),
        )
        await repository.link_incident(db, alert_id, incident_id)
        alert = await repository.find(db, alert_id)
        assert alert is not None
        await outbox.append(db, DISPATCH_STREAM, "alert", alert)
        await incidents.announce_new(db, incident_id, actor)
    return alert, True


async def create_manual(db: Database, body: AlertIn, who: Principal) -> tuple[Alert, bool]:
    now = dt.datetime.now(dt.UTC)
    new = NewAlert(
        kind=body.kind,
        priority=body.priority or DEFAULT_PRIORITY[body.kind],
        source=who.role.value,
        site=await _site_for(body),
        occurred_at=body.occurred_at or now,
        received_at=now,
        description=body.description,
        external_id=body.external_id,
        details=body.details,
    )
    return await raise_alert(db, new, who.actor)


async def get_alert(db: Database, alert_id: int) -> Alert:
    alert = await repository.find(db, alert_id)
    if alert is None:
        raise NotFound(f"There is no alert with id {alert_id}.")
    return alert
