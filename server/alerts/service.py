"""Raising an alert: the alert, its incident, the timeline, the outbox and the incident's synced
state in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from server.alerts import repository
from server.alerts.repository import NewAlert
from server.alerts.schemas import (
    DEFAULT_PRIORITY,
    MAX_DETAILS_BYTES,
    MAX_DETAILS_DEPTH,
    Alert,
    AlertIn,
)
from server.auth.schemas import Principal
from server.db import Database
from server.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable
from server.incidents import repository as incident_repository
from server.incidents import service as incidents
from server.incidents.repository import NewIncident
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.sites.repository import sites
from server.sites.schemas import SiteRef
from sync.hlc import HybridClock


async def _site_for(db: Database, body: AlertIn) -> SiteRef:
    if body.site_id is not None:
        site = await sites.find(db, body.site_id)
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
    db: Database, clock: HybridClock, new: NewAlert, actor: str, *, open_incident: bool = True
) -> tuple[Alert, bool]:
    """Store an alert and open its incident, projected into sync with the node's `clock`
    (server/incidents/sync_state.py). Returns (alert, created); a repeated `external_id`
    returns the stored alert and creates nothing. A notice (a device back online) passes
    `open_incident=False`: dispatchers see it, nobody is sent."""
    async with db.write():
        if new.external_id is not None:
            existing = await repository.find_external(db, new.external_id)
            if existing is not None:
                return existing, False
        alert_id = await repository.insert_unless_stored(db, new)
        if alert_id is None:  # a concurrent retry with the same external_id committed first
            assert new.external_id is not None
            existing = await repository.find_external(db, new.external_id)
            assert existing is not None
            return existing, False
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
        await incidents.announce_new(db, clock, incident_id, actor)
    return alert, True


def _nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` has more than `limit` levels of objects and arrays (walked level by
    level, so a deep document costs no recursion)."""
    level = [value]
    for _ in range(limit + 1):
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            return False
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return True


def check_details(details: dict[str, Any]) -> None:
    """Refuse `details` nested deeper than MAX_DETAILS_DEPTH or larger than MAX_DETAILS_BYTES."""
    if _nests_deeper_than(details, MAX_DETAILS_DEPTH):
        raise BadRequest(
            f"The details object nests more than {MAX_DETAILS_DEPTH} levels deep; flatten it.",
            code="details_too_deep",
        )
    size = len(msgspec.json.encode(details))
    if size > MAX_DETAILS_BYTES:
        raise PayloadTooLarge(
            f"The details object is {size} bytes as JSON; at most {MAX_DETAILS_BYTES} fit.",
            code="details_too_large",
        )


def _same_request(stored: Alert, body: AlertIn, new: NewAlert) -> bool:
    """Whether `body` asks for the alert already stored under its external_id. Fields the body
    leaves out (a site's own address and position, the time it happened) are not compared."""
    site = stored.site
    return (
        (stored.kind, stored.priority, stored.source) == (new.kind, new.priority, new.source)
        and (stored.description, stored.details) == (body.description, body.details)
        and site.id == body.site_id
        and (body.occurred_at is None or stored.occurred_at == body.occurred_at)
        and (site.address == body.address or (body.site_id is not None and not body.address))
        and all(
            stored_at == sent or (body.site_id is not None and sent is None)
            for stored_at, sent in ((site.lat, body.lat), (site.lon, body.lon))
        )
    )


async def create_manual(
    db: Database, clock: HybridClock, body: AlertIn, who: Principal
) -> tuple[Alert, bool]:
    check_details(body.details)
    now = dt.datetime.now(dt.UTC)
    new = NewAlert(
        kind=body.kind,
        priority=body.priority or DEFAULT_PRIORITY[body.kind],
        source=who.role.value,
        site=await _site_for(db, body),
        occurred_at=body.occurred_at or now,
        received_at=now,
        description=body.description,
        external_id=body.external_id,
        details=body.details,
    )
    alert, created = await raise_alert(db, clock, new, who.actor)
    if not created and not _same_request(alert, body, new):
        raise Conflict(
            f"external_id {body.external_id!r} already names alert {alert.id}, which differs "
            "from this one; a retry must repeat the same alert, a new alert needs a new id.",
            code="external_id_reused",
        )
    return alert, created


async def get_alert(db: Database, alert_id: int) -> Alert:
    alert = await repository.find(db, alert_id)
    if alert is None:
        raise NotFound(f"There is no alert with id {alert_id}.")
    return alert
