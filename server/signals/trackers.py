"""Run the tracker, phone and IoT listeners inside the server, on the same durable path as DC-09.

One :class:`IngestPipeline` per device protocol (each with its group commit into the signals
table, restricted to that protocol's devices): OsmAnd and IoT webhooks on the device HTTP port,
every stream protocol of :mod:`device_gateway.registry` (GT06, Teltonika …) on its own TCP port
through the one TCP pump, and an MQTT subscriber when a broker is configured. A tracker that
names itself before it sends anything (Teltonika) is welcomed only if the device registry holds
it under that protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final
from urllib.parse import urlsplit

from device_gateway.adapters import DeviceHttp
from device_gateway.gateway import Admit, Gateway
from device_gateway.ingest import IngestPipeline
from device_gateway.intake import Intake
from device_gateway.registry import DeviceProtocol, stream_protocols
from device_gateway.transports.http import serve_http
from device_gateway.transports.mqtt import subscribe_buttons
from device_gateway.transports.streams import Rebinding, TcpListener
from device_gateway.transports.tcp import serve_tcp
from server.db import Database
from server.devices import repository as devices
from server.devices.schemas import Protocol
from server.limits import device_stream_limits
from server.parts import Run
from server.ports import binding, configured_port
from server.signals.gateway import GatewayMetrics, ListenerMetrics
from server.signals.service import DbSignalStore
from server.state import AppState

logger = logging.getLogger(__name__)

OFF: Final = -1
MQTT_DEFAULT_PORT: Final = 1883
SHUTDOWN_TIMEOUT_S: Final = 5.0
ADAPTERS: Final = (Protocol.OSMAND.value, Protocol.HTTP.value, Protocol.MQTT.value)
"""Protocols whose messages come through an adapter (HTTP, MQTT), not a stream listener."""


class RunningTrackers:
    def __init__(self) -> None:
        self.ports: dict[str, int] = {}
        """The port each listener bound, by protocol name (``osmand`` is the device HTTP port)."""
        self.mqtt_subscribed = asyncio.Event()

    @property
    def http_port(self) -> int | None:
        return self.ports.get(Protocol.OSMAND.value)

    @property
    def gt06_port(self) -> int | None:
        return self.ports.get(Protocol.GT06.value)


def mqtt_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or MQTT_DEFAULT_PORT


def registered(db: Database, protocol: str) -> Admit:
    """The gateway's admission check for a device that names itself under ``protocol``."""

    async def admit(account: str) -> bool:
        return await devices.find_id(db, protocol, account) is not None

    return admit


@contextlib.asynccontextmanager
async def running_trackers(state: AppState) -> AsyncIterator[RunningTrackers]:
    settings = state.settings
    observer = GatewayMetrics(state.metrics)
    names = (*ADAPTERS, *(protocol.name for protocol in stream_protocols()))
    pipelines = {
        name: IngestPipeline(
            DbSignalStore(
                state.db,
                state.metrics,
                name,
                clock=state.sync_clock,
                activation_window_s=state.settings.activation_window_s,
            ),
            max_pending=settings.dc09_queue_max,
            max_batch=settings.dc09_batch_max,
            observer=observer,
        )
        for name in names
    }
    # Every port is bound before any part starts: a taken port then stops the start with nothing
    # running yet (a part cut off mid-query at that point would leave the database unsettled).
    parts: dict[str, Run] = {f"{name}-commit": pipeline.run for name, pipeline in pipelines.items()}
    listeners: list[Rebinding] = []
    running = RunningTrackers()
    try:
        if settings.osmand_port != OFF:
            listeners.append(await _bind_device_http(state, pipelines))
            running.ports[Protocol.OSMAND.value] = listeners[-1].port
            parts["osmand-http"] = listeners[-1].run
            logger.info(
                "OsmAnd and IoT webhooks on http://%s:%d", settings.host, listeners[-1].port
            )
        for protocol in stream_protocols():
            port = configured_port(settings, protocol)
            if port == OFF:
                continue
            listeners.append(await _bind_stream(state, protocol, pipelines[protocol.name], port))
            running.ports[protocol.name] = listeners[-1].port
            parts[protocol.name] = listeners[-1].run
            logger.info("%s trackers on %s:%d", protocol.title, settings.host, listeners[-1].port)
        if settings.mqtt_url:
            host, port = mqtt_address(settings.mqtt_url)
            mqtt = Intake(pipelines[Protocol.MQTT.value])
            parts["mqtt-buttons"] = lambda: subscribe_buttons(
                mqtt, host, port, subscribed=running.mqtt_subscribed
            )
        for name, run in parts.items():
            state.parts.start(name, run)
        yield running
    finally:
        await state.parts.stop(*parts)
        for listener in listeners:
            await listener.close()


async def _bind_device_http(state: AppState, pipelines: dict[str, IngestPipeline]) -> Rebinding:
    settings = state.settings
    handler = DeviceHttp(
        Intake(pipelines[Protocol.OSMAND.value]),
        Intake(pipelines[Protocol.HTTP.value]),
        registered(state.db, Protocol.OSMAND.value),
        webhook_secret=settings.iot_webhook_secret,
    )
    metrics = ListenerMetrics(state.metrics, "device_http")

    async def bind(port: int) -> TcpListener:
        return await serve_http(
            handler,
            settings.host,
            port,
            limits=device_stream_limits(settings),
            request_timeout_s=settings.device_http_request_timeout_s,
            observer=metrics,
        )

    with binding("osmand_port", settings.host, settings.osmand_port):
        return Rebinding(await bind(settings.osmand_port), bind)


async def _bind_stream(
    state: AppState, protocol: DeviceProtocol, pipeline: IngestPipeline, port: int
) -> Rebinding:
    """``protocol``'s listener, bound: one TCP pump and one gateway for all its connections."""
    assert protocol.connection is not None
    settings = state.settings
    gateway = Gateway(
        protocol.connection,
        pipeline,
        GatewayMetrics(state.metrics),
        name=protocol.title,
        admit=registered(state.db, protocol.name),
    )
    metrics = ListenerMetrics(state.metrics, protocol.name)

    async def bind(port: int) -> TcpListener:
        return await serve_tcp(
            gateway,
            settings.host,
            port,
            transport=protocol.name,
            limits=device_stream_limits(settings),
            observer=metrics,
        )

    with binding(protocol.setting, settings.host, port):
        return Rebinding(await bind(port), bind)
