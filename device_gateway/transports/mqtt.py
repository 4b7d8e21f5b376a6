"""IoT buttons from an MQTT broker (aiomqtt): subscribe, parse, store; reconnect forever.

The broker's QoS 1 PUBACK is the only acknowledgement MQTT has, and the client library sends
it on receipt: a button cannot retry end to end (reference §5), so what this adds is that each
report is committed before the next is read, and nothing is lost while the broker is up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import aiomqtt

from device_gateway.errors import RemoteProtocolError
from device_gateway.ingest import Source
from device_gateway.intake import Intake
from device_gateway.protocols.iot import parse_mqtt
from device_gateway.trackers import button_received

logger = logging.getLogger(__name__)

TOPICS: Final = ("zigbee2mqtt/#", "shellies/#")
QOS_AT_LEAST_ONCE: Final = 1
RECONNECT_S: Final = 2.0


async def subscribe_buttons(
    intake: Intake,
    hostname: str,
    port: int,
    *,
    subscribed: asyncio.Event | None = None,
    reconnect_s: float = RECONNECT_S,
) -> None:
    """Run until cancelled; ``subscribed`` is set each time the subscriptions are in place."""
    source = Source(transport="mqtt", peer=f"{hostname}:{port}")
    while True:
        try:
            async with aiomqtt.Client(hostname, port) as client:
                for topic in TOPICS:
                    await client.subscribe(topic, qos=QOS_AT_LEAST_ONCE)
                logger.info("subscribed to IoT buttons on mqtt://%s:%d", hostname, port)
                if subscribed is not None:
                    subscribed.set()
                async for message in client.messages:
                    await _handle(intake, source, str(message.topic), message.payload)
        except aiomqtt.MqttError as err:
            logger.warning("MQTT broker %s:%d: %s; reconnecting", hostname, port, err)
            await asyncio.sleep(reconnect_s)


async def _handle(intake: Intake, source: Source, topic: str, payload: object) -> None:
    data = payload if isinstance(payload, bytes) else str(payload or "").encode()
    try:
        event = parse_mqtt(topic, data)
    except RemoteProtocolError as err:
        logger.debug("MQTT message on %s refused: %s", topic, err)
        return
    if event is None:
        return
    raw = f"{topic} {data.decode('utf-8', 'replace')}"
    if not await intake.store(button_received(event, raw, intake.clock()), source):
        logger.warning("IoT button report from %s on %s was not stored", event.device_id, topic)
