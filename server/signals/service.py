"""Storing device signals (DC-09, trackers, phones, buttons) and acting on them, one transaction
per batch.

For each frame that is not a retransmission, every signal is stored; an alarm from a registered
device raises its alert (and incident) in the same transaction, so the ACK that follows the
commit covers the alert too. A restore finds the device's open alert of the same kind and zone
and never opens a new one. For self-clearing technical conditions (AC power, battery, trouble)
whose incident is still ``new`` (nobody dispatched) the restore *closes* it as ``cancelled``:
the condition is over and no crew should go. Everything else is only annotated: a restore of a
panic, hold-up, duress, medical, fire, intrusion or tamper alarm says the button or sensor is back
to normal, not that nobody needs help (a robber can reset a hold-up button), and a crew already
on its way is stopped only by a dispatcher. Tests, open/close and bypass are stored and listed.
Unregistered accounts are stored and shown as such; they raise nothing. An alarm from a device
that already has an open incident of the same kind folds into it (server/signals/grouping.py).
A site's schedule and test windows are applied here too (server/schedules/signal_rules.py): a
signal in a test window raises nothing, an opening or closing outside the opening hours raises
its own alert, an intrusion says whether it came during opening hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from device_gateway.ingest import IngestOutcome, Submission, dedup_digest
from device_gateway.signals import Qualifier, Refused, Signal, SignalKind
from device_gateway.supervision import LinkChange, LinkState
from server.alerts.repository import NewAlert
from server.alerts.schemas import DEFAULT_PRIORITY, AlertKind
from server.alerts.service import raise_alert
from server.auth.schemas import Principal, Role
from server.crews.service import move_crew
from server.db import Database
from server.devices import repository as devices_repository
from server.incidents import repository as incidents
from server.incidents.schemas import StatusIn
from server.incidents.service import change_status, record
from server.incidents.timeline import EntryFacts
from server.metrics import Metrics
from server.schedules import signal_rules
from server.schedules.signal_rules import WindowsOnTest
from server.signals import repository
from server.signals.grouping import ACTIVATION_WINDOW_S, NO_ZONE, fold_into_open_incident
from server.signals.repository import DeviceSite, OpenAlert, SignalRow
from sync.entities import Outcome
from sync.hlc import HybridClock
from sync.lattices import IncidentStatus

logger = logging.getLogger(__name__)

SOURCE: Final = "dc09"
SUPERVISION_ACTOR: Final = "system:supervision"
ALERT_KIND: Final = {
    SignalKind.PANIC: AlertKind.PANIC,
    SignalKind.SOS: AlertKind.SOS,
    SignalKind.POSITION: AlertKind.OTHER,
    SignalKind.HOLD_UP: AlertKind.PANIC,
    SignalKind.DURESS: AlertKind.DURESS,
    SignalKind.MEDICAL: AlertKind.MEDICAL,
    SignalKind.FIRE: AlertKind.FIRE,
    SignalKind.GAS: AlertKind.OTHER,
    SignalKind.WATER: AlertKind.OTHER,
    SignalKind.INTRUSION: AlertKind.INTRUSION,
    SignalKind.TAMPER: AlertKind.TAMPER,
    SignalKind.POWER: AlertKind.TROUBLE,
    SignalKind.BATTERY: AlertKind.TROUBLE,
    SignalKind.TROUBLE: AlertKind.TROUBLE,
    SignalKind.TEST: AlertKind.TEST,
    SignalKind.OPEN_CLOSE: AlertKind.OTHER,
    SignalKind.BYPASS: AlertKind.OTHER,
    SignalKind.UNKNOWN: AlertKind.UNKNOWN,
}
LOG_ONLY: Final = frozenset(
    {SignalKind.TEST, SignalKind.OPEN_CLOSE, SignalKind.BYPASS, SignalKind.POSITION}
)
SELF_CLEARING: Final = frozenset({SignalKind.POWER, SignalKind.BATTERY, SignalKind.TROUBLE})
RESTORE_PRINCIPAL_ROLE: Final = Role.DEVICE
LAST_SEEN_EVERY: Final = dt.timedelta(seconds=60)


def _actor(account: str) -> str:
    return f"device:{account}"


def _details(signal: Signal) -> dict[str, object]:
    return {
        "account": signal.account,
        "code": signal.code,
        "code_family": str(signal.code_family),
        "signal_kind": signal.kind.value,
        "zone": signal.zone,
        "user": signal.user,
        "partition": signal.partition,
        "text": signal.text,
        "seq": None if signal.origin is None else signal.origin.seq,
        "xdata": signal.xdata,
        "lat": signal.lat,
        "lon": signal.lon,
    }


def _new_alert(signal: Signal, device: DeviceSite, source: str = SOURCE) -> NewAlert:
    where = f" zone {signal.zone}" if signal.zone else ""
    site = device.site
    if signal.lat is not None and signal.lon is not None:  # a phone or tracker: where it is now
        site = msgspec.structs.replace(site, lat=signal.lat, lon=signal.lon)
    return NewAlert(
        kind=ALERT_KIND[signal.kind],
        priority=signal.priority,
        source=source,
        site=site,
        occurred_at=signal.panel_time or signal.received_at,
        received_at=signal.received_at,
        description=f"{signal.description}{where} ({signal.code_family} {signal.code})",
        device_id=device.device_id,
        details=_details(signal),
    )


async def _note(db: Database, facts: EntryFacts) -> None:
    await incidents.find(db, facts.incident_id, lock=True)  # the timeline's tail is ours
    await record(db, facts)


def _matching(candidates: list[OpenAlert], signal: Signal) -> OpenAlert | None:
    """The newest open alert of the restore's zone; a restore without a zone ends the newest."""
    if signal.zone in NO_ZONE:
        return candidates[0] if candidates else None
    return next((c for c in candidates if c.zone == signal.zone), None)


async def _restore(
    db: Database, clock: HybridClock, signal: Signal, device: DeviceSite
) -> int | None:
    """Close or annotate the open alert a restore ends; returns that alert's id."""
    kinds = [ALERT_KIND[signal.kind].value]
    found = _matching(await repository.open_alerts(db, device.device_id, kinds), signal)
    if found is None:
        return None
    text = f"restore from the device: {signal.description}"
    if signal.kind in SELF_CLEARING:
        incident = await incidents.find(db, found.incident_id, lock=True)
        if incident is not None and incident.status is IncidentStatus.NEW:
            who = Principal(token_id=0, name=signal.account, role=RESTORE_PRINCIPAL_ROLE)
            body = StatusIn(
                status=IncidentStatus.CANCELLED,
                outcome=Outcome.OTHER,  # a technical fault the device itself cleared
                note=f"{text}; closed before dispatch",
                device_at=signal.panel_time,
                # An action plan's open steps must not hold a close the device itself made: the
                # batch would fail and the panel would resend it for ever. The override is kept
                # on the timeline, so the auditor sees why the steps stayed open.
                plan_override="the device reported the condition cleared before dispatch",
            )
            await change_status(db, clock, found.incident_id, body, who)
            return found.alert_id
    await _note(
        db,
        EntryFacts(
            incident_id=found.incident_id,
            at=signal.received_at,
            actor=_actor(signal.account),
            kind="note",
            device_at=signal.panel_time,
            data={"text": text, "code": signal.code},
        ),
    )
    return found.alert_id


class DbSignalStore:
    """The :class:`device_gateway.ingest.SignalStore` on Posbon's database, for the devices of
    one protocol (``dc09``, ``osmand``, ``gt06``, ``http`` or ``mqtt``)."""

    def __init__(
        self,
        db: Database,
        metrics: Metrics,
        protocol: str = SOURCE,
        *,
        clock: HybridClock,
        activation_window_s: float = ACTIVATION_WINDOW_S,
    ) -> None:
        self._db = db
        self._metrics = metrics
        self._protocol = protocol
        self._clock = clock
        """The node's sync clock: a restore that cancels an incident writes its synced state."""
        self._window_s = activation_window_s
        """How long after an incident's last alarm another alarm of its site joins it."""
        self._seen_written: dict[int, dt.datetime] = {}

    def _seen_due(self, devices: Iterable[DeviceSite], at: dt.datetime) -> list[int]:
        """Devices whose stored `last_seen_at` is older than LAST_SEEN_EVERY: rewriting every
        device row on every batch would bloat the table (PostgreSQL keeps each old version).
        A supervised device is written at least every half interval: another node's
        supervision reads it to know the device spoke here."""
        due = []
        for device in devices:
            written = self._seen_written.get(device.device_id)
            every = LAST_SEEN_EVERY
            if device.supervision_s > 0:
                every = min(every, dt.timedelta(seconds=device.supervision_s / 2))
            if written is None or at - written >= every:
                due.append(device.device_id)
        return due

    async def commit(
        self, batch: Sequence[Submission], *, duplicates_since: dt.datetime
    ) -> list[IngestOutcome]:
        hashes = [dedup_digest(item.received.dedup_key) for item in batch]
        raised: list[str] = []
        async with self._db.write():
            await repository.lock_for_commit(self._db)
            keys = [
                (item.received.dedup_key.account, item.received.dedup_key.seq, h)
                for item, h in zip(batch, hashes, strict=True)
            ]
            stored = await repository.stored_hashes(self._db, keys, duplicates_since)
            fresh = [(item, h) for item, h in zip(batch, hashes, strict=True) if h not in stored]
            devices = await repository.devices_by_account(
                self._db, (item.received.dedup_key.account for item, _ in fresh), self._protocol
            )
            windows = await signal_rules.WindowsOnTest.read(
                self._db,
                ((device.device_id, device.site.id) for device in devices.values()),
                [signal.received_at for item, _ in fresh for signal in item.received.signals],
            )
            rows: list[SignalRow] = []
            for item, dedup_hash in fresh:
                device = devices.get(item.received.dedup_key.account)
                for signal in item.received.signals:
                    alert_id = (
                        None if device is None else await self._act(signal, device, windows, raised)
                    )
                    rows.append(
                        SignalRow(
                            signal=signal,
                            source=item.source,
                            dedup_hash=dedup_hash,
                            dedup_key=item.received.dedup_key,
                            device_id=None if device is None else device.device_id,
                            alert_id=alert_id,
                        )
                    )
            await repository.insert_many(self._db, rows)
            seen_at = batch[-1].received_at
            seen = self._seen_due(devices.values(), seen_at)
            await devices_repository.mark_seen(self._db, seen, seen_at)
        self._seen_written.update(dict.fromkeys(seen, seen_at))
        for kind in raised:
            self._metrics.alerts.labels(self._protocol, kind).inc()
        return [IngestOutcome.DUPLICATE if h in stored else IngestOutcome.STORED for h in hashes]

    async def _act(
        self, signal: Signal, device: DeviceSite, windows: WindowsOnTest, raised: list[str]
    ) -> int | None:
        if device.crew_id is not None and signal.lat is not None and signal.lon is not None:
            at = min(signal.panel_time or signal.received_at, signal.received_at)
            await move_crew(self._db, device.crew_id, signal.lat, signal.lon, at, only_newer=True)
        if signal.kind is not SignalKind.POSITION and await signal_rules.held_for_test(
            self._db, windows, signal, device.device_id, device.site.id
        ):
            return None  # on test: stored and shown as a test signal, nobody is sent
        if signal.kind is SignalKind.OPEN_CLOSE:  # judged against the site's schedule
            return await signal_rules.open_close(
                self._db, self._clock, signal, device.device_id, device.site, raised
            )
        if signal.kind in LOG_ONLY or signal.qualifier is Qualifier.STATUS:
            return None
        if signal.qualifier is Qualifier.RESTORE:
            return await _restore(self._db, self._clock, signal, device)
        new = await signal_rules.with_opening_hours(
            self._db, _new_alert(signal, device, self._protocol)
        )
        folded = await fold_into_open_incident(
            self._db,
            new,
            signal.zone,
            device.device_id,
            _actor(signal.account),
            zones_together=signal.kind not in SELF_CLEARING,
            reported_from=(
                None if signal.lat is None or signal.lon is None else (signal.lat, signal.lon)
            ),
            window_s=self._window_s,
        )
        if folded is not None:
            alert_id, added = folded
            if added:
                raised.append(new.kind.value)
            return alert_id
        alert, _ = await raise_alert(self._db, self._clock, new, _actor(signal.account))
        raised.append(alert.kind.value)
        return alert.id


class LinkRecorder:
    """The gateway's :class:`~device_gateway.gateway.SupervisionSink`: stores ``online`` and
    raises one "device offline" alert (with an incident) and one "device online" notice."""

    def __init__(self, db: Database, metrics: Metrics, *, clock: HybridClock) -> None:
        self._db = db
        self._metrics = metrics
        self._clock = clock
        """The node's sync clock: the synced state of the incident an offline alert opens."""

    async def record(self, changes: Sequence[LinkChange]) -> None:
        async with self._db.write():
            devices = await repository.devices_by_account(self._db, (c.account for c in changes))
            for change in changes:
                device = devices.get(change.account)
                if device is not None:
                    await self._apply(change, device)
        for change in changes:
            self._metrics.dc09_links.labels(change.state.value).inc()

    async def _apply(self, change: LinkChange, device: DeviceSite) -> None:
        online = change.state is LinkState.ONLINE
        if not await devices_repository.set_online(self._db, device.device_id, online=online):
            return  # several receivers may see one change: the first to store it reports it
        kind = AlertKind.DEVICE_ONLINE if online else AlertKind.DEVICE_OFFLINE
        if online:
            text = f"device {change.account} is back online"
        else:
            text = f"no message from device {change.account} in {change.interval_s:g} s"
        new = NewAlert(
            kind=kind,
            priority=DEFAULT_PRIORITY[kind],
            source=SOURCE,
            site=device.site,
            occurred_at=change.at,
            received_at=change.at,
            description=text,
            device_id=device.device_id,
            details={
                "account": change.account,
                "last_seen": None if change.last_seen is None else change.last_seen.isoformat(),
                "interval_s": change.interval_s,
            },
        )
        await raise_alert(self._db, self._clock, new, SUPERVISION_ACTOR, open_incident=not online)
        self._metrics.alerts.labels(SOURCE, kind.value).inc()
        if online:
            found = await repository.open_alert(
                self._db, device.device_id, [AlertKind.DEVICE_OFFLINE.value]
            )
            if found is not None:
                await _note(
                    self._db,
                    EntryFacts(
                        incident_id=found[1],
                        at=change.at,
                        actor=SUPERVISION_ACTOR,
                        kind="note",
                        data={"text": text},
                    ),
                )


class SecurityAlerts:
    """One tamper alert per account and day when an account that must encrypt sends plaintext
    (someone may be substituting the panel); the frame itself was NAKed."""

    def __init__(self, db: Database, metrics: Metrics, *, clock: HybridClock) -> None:
        self._db = db
        self._metrics = metrics
        self._clock = clock
        """The node's sync clock: the synced state of the incident a tamper alert opens."""
        self._raised: set[str] = set()

    def external_id(self, event: Refused, today: dt.date) -> str | None:
        if event.reason != "plaintext" or event.account is None:
            return None
        return f"dc09:plaintext:{event.account}:{today.isoformat()}"

    def needs_alert(self, external_id: str) -> bool:
        if external_id in self._raised:
            return False
        self._raised.add(external_id)
        return True

    async def raise_for(self, event: Refused, external_id: str, peer: str) -> None:
        try:
            async with self._db.write():
                assert event.account is not None
                device = (await repository.devices_by_account(self._db, [event.account])).get(
                    event.account
                )
                if device is None:
                    return
                now = dt.datetime.now(dt.UTC)
                new = NewAlert(
                    kind=AlertKind.TAMPER,
                    priority=DEFAULT_PRIORITY[AlertKind.TAMPER],
                    source=SOURCE,
                    site=device.site,
                    occurred_at=now,
                    received_at=now,
                    description=f"unencrypted message from {event.account}, which must encrypt",
                    external_id=external_id,
                    device_id=device.device_id,
                    details={"account": event.account, "peer": peer, "reason": event.reason},
                )
                _, created = await raise_alert(self._db, self._clock, new, _actor(event.account))
        except Exception:  # the next plaintext frame tries again
            self._raised.discard(external_id)
            logger.exception("could not raise the security alert for %s", event.account)
            return
        if created:
            logger.warning("device %s sent plaintext but must encrypt", event.account)
            self._metrics.alerts.labels(SOURCE, AlertKind.TAMPER.value).inc()
