"""Trackers, phones and IoT buttons as signals, sans-I/O: what their protocols share.

Every protocol hands the same :class:`~device_gateway.signals.Received` to the same
:class:`~device_gateway.ingest.IngestPipeline`, so an OsmAnd 200, a GT06 ACK, a Teltonika record
count and a DC-09 ACK all mean one thing: the signal is committed. A tracker reports where it is
(a position) or that someone needs help (an SOS, at that position); anything else it sends only
proves it alive (a test). The de-duplication key is what a resend of the same report keeps:
OsmAnd (id, timestamp, alarm) as Traccar's client re-uploads after a failure (reference §4.2); a
The Things Stack uplink its (dev_eui, session, f_cnt); a Shelly press its counter. A report with
nothing stable to key on (a Zigbee2MQTT action) is keyed on its arrival time, so each one counts.
Stream protocols (GT06, Teltonika) build their signals in their own folders with these helpers.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final

import msgspec

from device_gateway.protocols.iot import ButtonEvent, ButtonKind
from device_gateway.protocols.osmand import Report
from device_gateway.signals import CodeFamily, DedupKey, Qualifier, Received, Signal, SignalKind

SOS_PRIORITY: Final = 1
REPORT_PRIORITY: Final = 4
MAX_LATITUDE: Final = 90.0
MAX_LONGITUDE: Final = 180.0


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tracker_received(
    signals: tuple[Signal, ...], *, seq: str, data: str, reply: bytes = b""
) -> Received:
    """``signals`` of one report, keyed on the device, ``seq`` and a digest of ``data``."""
    first = signals[0]
    key = DedupKey(
        account=first.account, seq=seq, data_sha256=digest(data), scope=(first.code_family,)
    )
    return Received(signals=signals, dedup_key=key, reply=reply)


def tracker_signal(
    account: str, family: str, *, sos: bool, received_at: datetime, raw: str, code: str
) -> Signal:
    """An SOS or a position report; :func:`proof_of_life` and :func:`located` refine it."""
    return Signal(
        account=account,
        code_family=family,
        code=code,
        qualifier=Qualifier.NEW,
        kind=SignalKind.SOS if sos else SignalKind.POSITION,
        priority=SOS_PRIORITY if sos else REPORT_PRIORITY,
        description="SOS" if sos else "position report",
        received_at=received_at,
        raw=raw,
        content=raw,
    )


def proof_of_life(signal: Signal, description: str) -> Signal:
    """A report that says nothing but "I am here" (a login, a heartbeat, a fix-less record)."""
    return msgspec.structs.replace(signal, kind=SignalKind.TEST, description=description)


def located(
    signal: Signal, lat: float | None, lon: float | None, device_time: datetime | None
) -> Signal:
    return msgspec.structs.replace(signal, lat=lat, lon=lon, panel_time=device_time)


def on_the_globe(lat: float, lon: float) -> bool:
    """Whether a position can be a place on Earth (a tracker's wire states far more)."""
    return abs(lat) <= MAX_LATITUDE and abs(lon) <= MAX_LONGITUDE


def osmand_received(report: Report, raw: str, now: datetime) -> Received:
    signal = tracker_signal(
        report.device_id,
        CodeFamily.OSMAND,
        sos=report.sos,
        received_at=now,
        raw=raw,
        code=",".join(report.alarms) or "position",
    )
    stamp = (report.device_time or now).isoformat()
    signal = located(signal, report.lat, report.lon, report.device_time)
    return tracker_received((signal,), seq=stamp, data=",".join(report.alarms))


def button_received(event: ButtonEvent, raw: str, now: datetime) -> Received:
    sos = event.kind is ButtonKind.SOS
    signal = tracker_signal(
        event.device_id, CodeFamily.IOT, sos=sos, received_at=now, raw=raw, code=event.family
    )
    if not sos:
        signal = proof_of_life(signal, event.detail)
    seq = event.dedup or now.isoformat()
    return tracker_received((signal,), seq=seq[:64], data=event.family)
