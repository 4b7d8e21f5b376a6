"""Activation grouping: the alarms of one site fold into its open incident.

A panel whose button is pressed again, whose zones trip one after the other, or a second panel of
the same bank whose panic follows the first one's intrusion, is still one event for the
monitoring centre: one incident, with each zone listed as it trips and the priority of the worst
alarm. So an alarm from a registered device opens no new incident when

* its device already has an open incident with an alert of the same kind and zone (or the alarm
  has no zone): the signal row points at that alert and nothing else is added (from a tracker
  or phone, a timeline note with where it reports from now); or
* its site has an open incident raised by a device whose last alarm came within
  ``window_s`` (the ``activation_window_s`` setting), whatever the alarm kind. A panel alarm
  (not a tracker's, which reports from where it is, not from its site) adds an alert row linked
  to that incident, a timeline note ("zone 7 also tripped") and an ``alert`` event for the
  dispatchers, up to ``MAX_ZONES_PER_INCIDENT`` alerts; past that the signal rows still record
  every frame. An alarm more urgent than the incident raises the incident's priority (a note
  says by what) and publishes it, so the queue reorders at once.

Only the alarm kinds in ``SITE_KINDS`` group across a site. Self-clearing troubles (AC power,
battery) keep an incident per zone, since a zone's restore closes its incident; only a repeat of a
zone still open folds there. Device offline/online notices never come here. Any other kind (an
alarm without a site, a schedule's own kinds) folds only into its device's open incident of the
same kind, as before. Restores find their alert by device, kind and zone wherever it was folded,
and annotate that incident (server/signals/service.py).

Past the window a new incident opens: the site is quiet again, and what trips now is news.

This also bounds what a flood costs: panics from one account with ever-new sequence numbers and
zones once opened an incident each (about 15,000 P1 incidents in a 10 s attack); now they cost a
signal row and an index probe each, and at most ``MAX_ZONES_PER_INCIDENT`` alerts.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from server.alerts import repository as alerts
from server.alerts.repository import NewAlert
from server.alerts.schemas import AlertKind
from server.db import Database
from server.incidents import repository as incidents
from server.incidents.service import publish, record
from server.incidents.timeline import EntryFacts
from server.relay import outbox
from server.relay.outbox import DISPATCH_STREAM
from server.signals import grouping_repository, repository
from server.signals.repository import OpenAlert

MAX_ZONES_PER_INCIDENT: Final = 32
NO_ZONE: Final = frozenset({None, "", "0", "00", "000"})
ACTIVATION_WINDOW_S: Final = 900.0
"""The default of the `activation_window_s` setting: alarms of one site this close to the
incident's last alarm are one activation."""
SITE_KINDS: Final = frozenset(
    {
        AlertKind.PANIC,
        AlertKind.SOS,
        AlertKind.DURESS,
        AlertKind.FIRE,
        AlertKind.MEDICAL,
        AlertKind.INTRUSION,
        AlertKind.TAMPER,
        AlertKind.OTHER,
        AlertKind.UNKNOWN,
    }
)
"""Alarm kinds that join (and gather) a site's activation."""
_SITE_KIND_VALUES: Final = tuple(sorted(kind.value for kind in SITE_KINDS))


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
    window_s: float = ACTIVATION_WINDOW_S,
) -> tuple[int, bool] | None:
    """When the alarm belongs to an open incident: the id of the alert the signal belongs to,
    and whether that alert is new. None: open a new incident.
    With ``zones_together`` off (self-clearing troubles, whose restore closes the incident of
    its zone) only a repeat of an open zone folds; another zone gets an incident of its own.
    ``reported_from``: where a tracker or phone says it is now, noted on the incident.
    ``window_s``: how long after an incident's last alarm another alarm of its site joins it.
    Runs inside the caller's write transaction."""
    found = await repository.open_alerts(db, device_id, [new.kind.value])
    same = None
    if found:
        same = found[0] if zone in NO_ZONE else next((a for a in found if a.zone == zone), None)
    if same is not None:
        if reported_from is not None:  # a tracker or phone, not a panel at a fixed site
            await _note_position(db, new, reported_from, same.incident_id, actor)
        return same.alert_id, False
    if not zones_together:
        return None
    if new.site.id is not None and reported_from is None and new.kind in SITE_KINDS:
        return await _join_site(db, new, zone, new.site.id, actor, window_s)
    if not found:
        return None
    open_zones = _same_incident(found)
    if len(open_zones) >= MAX_ZONES_PER_INCIDENT:
        return open_zones[0].alert_id, False
    return await _add_zone(db, new, zone, open_zones[0].incident_id, actor), True


async def _join_site(
    db: Database, new: NewAlert, zone: str | None, site_id: int, actor: str, window_s: float
) -> tuple[int, bool] | None:
    since = new.received_at - dt.timedelta(seconds=window_s)
    active = await grouping_repository.active_site_incident(db, site_id, _SITE_KIND_VALUES, since)
    if active is None:
        return None
    if active.alerts >= MAX_ZONES_PER_INCIDENT:
        folded = active.newest_alert_id, False
    else:
        folded = await _add_zone(db, new, zone, active.incident_id, actor), True
    await _raise_priority(db, new, active.incident_id, active.priority, actor)
    return folded


async def _raise_priority(
    db: Database, new: NewAlert, incident_id: int, priority: int, actor: str
) -> None:
    """The incident takes the priority of its worst alarm, and the dispatchers see it move."""
    if new.priority >= priority:
        return
    incident = await incidents.find(db, incident_id, lock=True)
    if incident is None or not await incidents.raise_priority(
        db, incident_id, new.priority, new.received_at
    ):
        return
    text = f"priority raised to P{new.priority} by {new.description}"
    data: dict[str, object] = {"text": text, "priority": new.priority, "was": incident.priority}
    await _note(db, new, incident_id, actor, data)
    raised = await incidents.find(db, incident_id)
    assert raised is not None
    await publish(db, raised)


async def _add_zone(
    db: Database, new: NewAlert, zone: str | None, incident_id: int, actor: str
) -> int:
    alert_id = await alerts.insert(db, new)
    await alerts.link_incident(db, alert_id, incident_id)
    alert = await alerts.find(db, alert_id)
    assert alert is not None
    await outbox.append(db, DISPATCH_STREAM, "alert", alert)
    where = "" if zone in NO_ZONE else f"zone {zone} "
    text = f"{where}also tripped: {new.description}"
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
