"""Activation grouping: repeated alarms from one device fold into its open incident.

A panel whose button is pressed again, or whose zones trip one after the other, is still one
event for the monitoring centre: one incident, with each zone listed as it trips. So an alarm
from a registered device that already has an open incident of the same alert kind opens no new
one:

* a zone already in that incident (or an alarm without a zone) adds nothing but its signal row,
  which points at the incident's alert for that zone (and, from a tracker or phone, a timeline
  note with where it reports from now);
* a new zone adds an alert row linked to the same incident, a timeline note ("zone 7 also
  tripped") and an ``alert`` event for the dispatchers, up to ``MAX_ZONES_PER_INCIDENT`` zones;
  past that the signal rows still record every frame.

Self-clearing troubles (AC power, battery) keep an incident per zone, since a zone's restore
closes its incident; only a repeat of a zone still open folds there.

This also bounds what a flood costs: panics from one account with ever-new sequence numbers and
zones once opened an incident each (about 15,000 P1 incidents in a 10 s attack); now they cost a
signal row and an index probe each, and at most ``MAX_ZONES_PER_INCIDENT`` alerts.
"""

from __future__ import annotations

from typing import Final

from server.alerts import repository as alerts
from server.alerts.repository import NewAlert
from server.db import Database
from server.incidents import repository as incidents
from server.incidents.service import record
from server.incidents.timeline import EntryFacts
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.signals import repository
from server.signals.repository import OpenAlert

MAX_ZONES_PER_INCIDENT: Final = 32
NO_ZONE: Final = frozenset({None, "", "0", "00", "000"})


def _same_incident(found: list[OpenAlert]) -> list[OpenAlert]:
    """The alerts of the newest open incident among ``found`` (newest alert first)."""
    return [alert for alert in found if alert.incident_id == found[0].incident_id]


async def fold_into_open_incident(
    db: Database,
    new: NewAlert,
    zone: str | None,
    device_id: int,
    actor: str,
    *,
    zones_together: bool = True,
    reported_from: tuple[float, float] | None = None,
) -> tuple[int, bool] | None:
    """When the device has an open incident of ``new``'s kind: the id of the alert the signal
    belongs to, and whether that alert is new (a zone not seen yet). None: open a new incident.
    With ``zones_together`` off (self-clearing troubles, whose restore closes the incident of
    its zone) only a repeat of an open zone folds; another zone gets an incident of its own.
    ``reported_from``: where a tracker or phone says it is now, noted on the incident.
    Runs inside the caller's write transaction."""
    found = await repository.open_alerts(db, device_id, [new.kind.value])
    if not found:
        return None
    same = found[0] if zone in NO_ZONE else next((a for a in found if a.zone == zone), None)
    if same is not None:
        if reported_from is not None:  # a tracker or phone, not a panel at a fixed site
            await _note_position(db, new, reported_from, same.incident_id, actor)
        return same.alert_id, False
    if not zones_together:
        return None
    open_zones = _same_incident(found)
    if len(open_zones) >= MAX_ZONES_PER_INCIDENT:
        return open_zones[0].alert_id, False
    return await _add_zone(db, new, zone, open_zones[0].incident_id, actor), True


async def _add_zone(
    db: Database, new: NewAlert, zone: str | None, incident_id: int, actor: str
) -> int:
    alert_id = await alerts.insert(db, new)
    await alerts.link_incident(db, alert_id, incident_id)
    alert = await alerts.find(db, alert_id)
    assert alert is not None
    await outbox.append(db, DISPATCH_STREAM, "alert", alert)
    text = f"zone {zone} also tripped: {new.description}"
    await _note(db, new, incident_id, actor, {"text": text, "alert_id": alert_id})
    return alert_id


async def _note_position(
    db: Database, new: NewAlert, at: tuple[float, float], incident_id: int, actor: str
) -> None:
    """A tracker or phone that repeats its SOS while moving: the crew needs where it is now."""
    lat, lon = at
    text = f"the device reports again from {lat:.6f}, {lon:.6f}"
    await _note(db, new, incident_id, actor, {"text": text, "lat": lat, "lon": lon})


async def _note(
    db: Database, new: NewAlert, incident_id: int, actor: str, data: dict[str, object]
) -> None:
    await incidents.find(db, incident_id, lock=True)  # the timeline's tail is ours
    facts = EntryFacts(
        incident_id=incident_id, at=new.received_at, actor=actor, kind="note", data=data
    )
    await record(db, facts)
