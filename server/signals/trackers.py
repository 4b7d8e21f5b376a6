"""Run the tracker, phone and IoT listeners inside the server, on the DC-09 durable path.

One :class:`IngestPipeline` per device protocol (each with its group commit into the signals
table, restricted to that protocol's devices): OsmAnd and IoT webhooks on the device HTTP port,
GT06 on its TCP port, and an MQTT subscriber when a broker is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final
from urllib.parse import urlsplit

from device_gateway.adapters import DeviceHttp
from device_gateway.ingest import IngestPipeline
from device_gateway.intake import Intake
from device_gateway.transports.gt06 import serve_gt06
from device_gateway.transports.http import serve_http
from device_gateway.transports.mqtt import subscribe_buttons
from device_gateway.transports.streams import Rebinding, TcpListener
from server.devices import repository as devices
from server.devices.schemas import Protocol
from server.limits import device_stream_limits
from server.parts import Run
from server.ports import binding
from server.signals.gateway import GatewayMetrics
from server.signals.service import DbSignalStore
from server.state import AppState

logger = logging.getLogger(__name__)

OFF: Final = -1
MQTT_DEFAULT_PORT: Final = 1883
SHUTDOWN_TIMEOUT_S: Final = 5.0


class RunningTrackers:
    def __init__(self) -> None:
        self.http_port: int | None = None
        self.gt06_port: int | None = None
        self.mqtt_subscribed = asyncio.Event()


def mqtt_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or MQTT_DEFAULT_PORT


@contextlib.asynccontextmanager
async def running_trackers(state: AppState) -> AsyncIterator[RunningTrackers]:
    settings = state.settings
    observer = GatewayMetrics(state.metrics)
    pipelines = {
        protocol: IngestPipeline(
            DbSignalStore(state.db, state.metrics, protocol.value),
            max_pending=settings.dc09_queue_max,
            max_batch=settings.dc09_batch_max,
            observer=observer,
        )
        for protocol in (Protocol.osmand, Protocol.gt06, Protocol.http, Protocol.mqtt)
    }
    # Every port is bound before any part starts: a taken port then stops the start with nothing
    # running yet (a part cut off mid-query at that point would leave the database unsettled).
    parts: dict[str, Run] = {
        f"{protocol.value}-commit": pipeline.run for protocol, pipeline in pipelines.items()
    }
    listeners: list[Rebinding] = []
    running = RunningTrackers()

    async def is_known(device_id: str) -> bool:
        return await devices.find_id(Protocol.osmand.value, device_id) is not None

    try:
        if settings.osmand_port != OFF:
            handler = DeviceHttp(
                Intake(pipelines[Protocol.osmand]),
                Intake(pipelines[Protocol.http]),
                is_known,
                webhook_secret=settings.iot_webhook_secret,
            )

            async def bind_http(port: int) -> TcpListener:
                return await serve_http(
                    handler,
                    settings.host,
                    port,
                    limits=device_stream_limits(settings),
                    request_timeout_s=settings.device_http_request_timeout_s,
                )

            with binding("osmand_port", settings.host, settings.osmand_port):
                listeners.append(Rebinding(await bind_http(settings.osmand_port), bind_http))
            running.http_port = listeners[-1].port
            parts["osmand-http"] = listeners[-1].run
            logger.info("OsmAnd and IoT webhooks on http://%s:%d", settings.host, running.http_port)
        if settings.gt06_port != OFF:
            gt06 = Intake(pipelines[Protocol.gt06])

            async def bind_gt06(port: int) -> TcpListener:
                return await serve_gt06(
                    gt06, settings.host, port, limits=device_stream_limits(settings)
                )

            with binding("gt06_port", settings.host, settings.gt06_port):
                listeners.append(Rebinding(await bind_gt06(settings.gt06_port), bind_gt06))
            running.gt06_port = listeners[-1].port
            parts["gt06"] = listeners[-1].run
            logger.info("GT06 trackers on %s:%d", settings.host, running.gt06_port)
        if settings.mqtt_url:
            host, port = mqtt_address(settings.mqtt_url)
            mqtt = Intake(pipelines[Protocol.mqtt])
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
