"""IoT panic buttons behind MQTT or a webhook: Zigbee2MQTT, Shelly Button1, The Things Stack."""

from device_gateway.protocols.iot.payloads import (
    ButtonEvent,
    ButtonKind,
    parse_mqtt,
    parse_webhook,
)

__all__ = ["ButtonEvent", "ButtonKind", "parse_mqtt", "parse_webhook"]
