"""Trackers, phones and IoT buttons into the DC-09 durable path, sans-I/O.

Every protocol hands the same :class:`~device_gateway.protocols.dc09.SignalsReceived` to the
same :class:`~device_gateway.ingest.IngestPipeline`, so an OsmAnd 200, a GT06 ACK and a DC-09
ACK all mean one thing: the signal is committed. The de-duplication key is what a resend of
the same report keeps: OsmAnd (id, timestamp, alarm) as Traccar's client re-uploads after a
failure (reference §4.2); GT06 (IMEI, serial, bytes); a The Things Stack uplink its
(dev_eui, session, f_cnt); a Shelly press its counter. A report with nothing stable to key on
(a Zigbee2MQTT action) is keyed on its arrival time, so each one counts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final

import msgspec

from device_gateway.protocols.dc09 import DedupKey, SignalsReceived
from device_gateway.protocols.gt06 import Heartbeat, Location, PacketReceived
from device_gateway.protocols.iot import ButtonEvent, ButtonKind
from device_gateway.protocols.osmand import Report
from device_gateway.signals import AlertKind, CodeFamily, Qualifier, Signal

SOS_PRIORITY: Final = 1
REPORT_PRIORITY: Final = 4


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _received(
    signal: Signal, *, seq: str, data: str, ack: bytes = b"", registered: bool = True
) -> SignalsReceived:
    key = DedupKey(
        account=signal.account,
        line=None,
        receiver=None,
        token=signal.token,
        seq=seq,
        data_sha256=_digest(data),
    )
    return SignalsReceived(signals=(signal,), ack=ack, dedup_key=key, registered=registered)


def _signal(
    account: str, family: CodeFamily, *, sos: bool, received_at: datetime, raw: str, code: str
) -> Signal:
    return Signal(
        account=account,
        receiver=None,
        line=None,
        seq="",
        token=family.value.upper(),
        encrypted=False,
        code_family=family,
        code=code,
        qualifier=Qualifier.NEW,
        kind=AlertKind.SOS if sos else AlertKind.POSITION,
        priority=SOS_PRIORITY if sos else REPORT_PRIORITY,
        description="SOS" if sos else "position report",
        received_at=received_at,
        raw=raw,
        content=raw,
    )


def osmand_received(report: Report, raw: str, now: datetime) -> SignalsReceived:
    signal = _signal(
        report.device_id,
        CodeFamily.OSMAND,
        sos=report.sos,
        received_at=now,
        raw=raw,
        code=",".join(report.alarms) or "position",
    )
    stamp = (report.device_time or now).isoformat()
    signal = _located(signal, report.lat, report.lon, report.device_time)
    return _received(signal, seq=stamp, data=",".join(report.alarms))


def gt06_received(packet: PacketReceived, now: datetime) -> SignalsReceived:
    message = packet.message
    sos = isinstance(message, Location | Heartbeat) and message.sos
    code = type(message).__name__.lower()
    signal = _signal(
        packet.imei, CodeFamily.GT06, sos=sos, received_at=now, raw=packet.raw.hex(), code=code
    )
    if isinstance(message, Location):
        signal = _located(signal, message.lat, message.lon, message.device_time)
    elif not sos:  # login, heartbeat, other: proof of life only
        signal = _with(signal, kind=AlertKind.TEST, description=f"GT06 {code}")
    return _received(signal, seq=f"{packet.serial:05d}", data=packet.raw.hex(), ack=packet.ack)


def button_received(event: ButtonEvent, raw: str, now: datetime) -> SignalsReceived:
    sos = event.kind is ButtonKind.SOS
    signal = _signal(
        event.device_id, CodeFamily.IOT, sos=sos, received_at=now, raw=raw, code=event.family
    )
    if not sos:
        signal = _with(signal, kind=AlertKind.TEST, description=event.detail)
    seq = event.dedup or now.isoformat()
    return _received(signal, seq=seq[:64], data=event.family)


def _located(
    signal: Signal, lat: float | None, lon: float | None, device_time: datetime | None
) -> Signal:
    return _with(signal, lat=lat, lon=lon, panel_time=device_time)


def _with(signal: Signal, **changes: object) -> Signal:
    return msgspec.structs.replace(signal, **changes)
